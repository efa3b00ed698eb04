/**
 * Words people put in keys, most likely first: the rank is the guess count a word costs in the
 * key-strength estimate (src/auth/key-entropy.ts), as in zxcvbn. Placeholders and the words of this
 * field come first; then common English words, roughly by frequency. Lower case, 2+ letters.
 */
export const PLACEHOLDER_WORDS: readonly string[] = `
password changeme secret master admin test key sk switchboard litellm default example sample dummy fake
placeholder token api letmein welcome qwerty root pass passwd login change replace please your my here
super todo fixme insert enter value xxx foo bar baz qux demo dev prod production staging local localhost
hello world temp tmp monkey dragon iloveyou trustno sunshine princess football baseball shadow superman
batman openai anthropic gateway proxy llm gpt claude company server access auth private secure random
string generate generated mine ours testing tester abc xyz asdf hunter ninja mustang michael jordan
`.trim().split(/\s+/);

/** Common English words, roughly most frequent first. */
export const ENGLISH_WORDS: readonly string[] = `
the be to of and in that have it for not on with he as you do at this but his by from they we say her
she or an will my one all would there their what so up out if about who get which go me when make can
like time no just him know take people into year your good some could them see other than then now look
only come its over think also back after use two how our work first well way even new want because any
these give day most us is are was were been has had did does said made very more much many such where
why here must should may might shall own same each every few both those let put keep set still try ask
need feel seem leave call find tell become show hand part place case week system program question number
night point home water room mother area money story fact month lot right study book eye job word
business issue side kind head house service friend father power hour game line end member law car city
community name president team minute idea kid body information school face others level office door
health person art war history party result morning reason research girl guy moment air teacher force
education never always big small old young long great little high low large last next early late
important public bad best better sure free true full real open close able down off again before while
through between under too really quick brown fox jumps jump lazy dog cat love life sun moon star blue
red green black white dark light fire ice rock stone tree river sea ocean king queen man woman boy baby
apple orange banana summer winter spring autumn data code user users file network internet computer
phone email web site cloud host port config three four five six seven eight nine ten hundred thousand
million today tomorrow yesterday yes ok okay thing things something nothing everything another around
against during without within along across behind beyond use used using world our ours yours their
`.trim().split(/\s+/);
