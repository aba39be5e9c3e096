// The detectors: named groups of weighted patterns, run on the normalised views (normalize.ts:
// lower case, diacritics stripped, spaces collapsed). A detector's weight on a text is the highest
// weight of its patterns that match (after context adjustments in scan.ts).
//
// Each pattern starts with a `lead`: the words (or symbols) a match begins with. scan.ts finds
// every lead in a view with one pass of one regular expression (triggers.ts) and tries only the
// patterns of the leads it found, anchored where the lead is (sticky). A prompt that holds none
// of the leads costs that one pass. Patterns for scripts without word boundaries (zh, ja, ko, ru,
// ar, hi) are `script` patterns: tried unanchored on views that hold non-ASCII text.
//
// Every pattern is linear-time on V8's backtracking engine: alternations of literals, single
// character classes with bounded quantifiers ({0,60}), no quantified group whose body can match
// the same text in two ways. test/processors/injection_scan.test.ts times adversarial inputs.

export type DetectorName =
  | 'instruction_override'
  | 'jailbreak'
  | 'prompt_extraction'
  | 'delimiter_injection'
  | 'markdown_exfiltration'
  | 'tool_hijack'
  | 'non_english_override'
  | 'hidden_characters'
  | 'obfuscation';

export interface Pattern {
  /** Alternatives a match starts with (regular-expression source; the literal text each begins
   * with is its trigger). */
  lead: string[];
  /** Anchored (sticky) at a lead; `script` patterns are unanchored. */
  re: RegExp;
  weight: number;
  /** Code-like syntax (chat-template tokens, tags): a hit inside backticks or a code fence is discounted more. */
  syntax?: boolean;
  /** No lead: tried unanchored on views that hold characters of this script (a one-class test). */
  script?: RegExp;
}

export interface Detector {
  name: DetectorName;
  description: string;
  patterns: Pattern[];
}

/** The text-pattern detectors (hidden_characters and obfuscation are computed in scan.ts). */
export const PATTERN_DETECTORS = [
  'instruction_override',
  'jailbreak',
  'prompt_extraction',
  'delimiter_injection',
  'markdown_exfiltration',
  'tool_hijack',
  'non_english_override',
] as const;

export const DETECTOR_NAMES: readonly DetectorName[] = [...PATTERN_DETECTORS, 'hidden_characters', 'obfuscation'];

/** A pattern: `lead` alternatives (split on top-level "|"), then `rest`. `notAfter`: a negation
 * ("must not", "never") right before the lead voids the match (policy text, not a command). */
function p(lead: string, rest: string, weight: number, opts: { syntax?: boolean; notAfter?: boolean; after?: string } = {}): Pattern {
  const leads = splitTop(lead);
  let guard = opts.notAfter ? "(?<!(?:\\bnot|\\bnever|n't|\\bcannot|\\bno) )" : '';
  // `after`: what must come right before the lead (a lookbehind), so that the rarer word of a
  // phrase can be its lead ("developer mode" after "enable", not "enable" before "developer mode").
  if (opts.after) guard += `(?<=${opts.after})`;
  return { lead: leads, re: new RegExp(`${guard}(?:${lead})${rest}`, 'y'), weight, syntax: opts.syntax };
}

const SCRIPTS = {
  cyrillic: /[\u0400-\u04ff]/,
  cjk: /[\u3040-\u30ff\u4e00-\u9fff]/,
  hangul: /[\uac00-\ud7af]/,
  arabic: /[\u0600-\u06ff]/,
  devanagari: /[\u0900-\u097f]/,
};

function script(which: keyof typeof SCRIPTS, source: string, weight: number): Pattern {
  return { lead: [], re: new RegExp(source), weight, script: SCRIPTS[which] };
}

/** Every "a b" of the alternatives of `a` and `b`, as one alternation: leads that start with the
 * distinctive pair of words rather than a common first word. */
function cross(a: string, b: string, sep = ' '): string {
  return splitTop(a).flatMap((x) => splitTop(b).map((y) => `${x}${sep}${y}`)).join('|');
}

/** Splits a regex source on "|" outside groups and classes. */
function splitTop(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let cur = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      cur += ch + source[++i];
      continue;
    }
    if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

// A gap of a few words within one clause (no sentence end, no semicolon or quote in between).
const G = '[^.!?;"\\n]{0,60}?';
const g = '[^.!?;"\\n]{0,25}?';
// Up to three determiners/qualifiers between a verb and its object: "all of the", "your earlier".
const DET = "(?:(?:all|of|the|your|my|any|these|those|every|each|this|that|its|our|their|entire|whole|other|such|existing|current|above|below|preceding|foregoing|aforementioned|earlier|previous|prior|original|initial|old|former|given|default|safety|system|developer|built-in|programmed|hidden|standard|usual|core|ethical|moral|content|security|[a-z]{2,12}(?:ed|en)) ){0,4}";

const OVERRIDE_VERB =
  "ignore|ignoring|ignores|disregard|disregarding|forget|forgetting|override|overriding|bypass|bypassing|neglect|abandon|discard|dismiss|overlook|set aside|throw out|throw away|stop following|quit following|cease following|do not follow|don't follow|dont follow|never mind|nevermind|pay no attention to|forego|forgo|unlearn";
// Verbs that are ordinary with settings and data ("reset your configuration", "clear all filters"):
// they count only with a qualifier that points back and a core rules noun.
const WEAK_VERB = 'scratch|drop|scrap|ditch|skip|erase|wipe|clear|reset|cancel|void|remove|suspend|lift|delete|throw away';
const CORE_RULES = '(?:instructions?|rules|guidelines|directives|directions|system prompt|programming|guardrails|restrictions|safety rules|constraints)';
const RULES =
  '(?:instructions?|instruction set|directions|rules?|guidelines?|directives?|commands?|prompts?|system prompt|system message|constraints?|restrictions?|guardrails?|programming|training|safeguards?|limitations?|boundaries|orders|guidance|principles|protocols?|content polic(?:y|ies)|usage polic(?:y|ies)|safety polic(?:y|ies)|ethics|persona|conditioning|moral code|everything (?:above|before|else))';
const AI_WORDS = 'ai|assistant|agent|model|chatbot|llm|gpt|chatgpt|claude|copilot|bot|language model|ai model|ai assistant|ai agent|automated agents?|autonomous agents?';
const AI = `(?:${AI_WORDS})s?`;

const override: Detector = {
  name: 'instruction_override',
  description: 'Instructions to ignore, forget or replace earlier instructions ("ignore previous instructions" and paraphrases), or a new set of instructions.',
  patterns: [
    // verb + determiners/qualifiers + the rules: "ignore all previous instructions", "set aside the prior directions"
    p(OVERRIDE_VERB, ` ${DET}(?:[a-z]{3,15} )?${RULES}\\b`, 0.85, { notAfter: true }),
    p(WEAK_VERB, ` (?:all |of |the |your |any |those |these ){0,3}(?:previous|prior|preceding|above|earlier|former|initial|original|old|system|safety|developer|built-in|existing|current) (?:[a-z]{3,15} )?${CORE_RULES}\\b`, 0.75, { notAfter: true }),
    // verb ... a qualifier that points back ... the rules, within a clause
    p(OVERRIDE_VERB, `\\b${G}\\b(?:previous|previously|prior|preceding|above|earlier|former|initial|original|system|developer|safety|built-in|programmed|foregoing|aforementioned)\\b${g}\\b${RULES}\\b`, 0.85, { notAfter: true }),
    // "ignore everything you were told before", "forget what you were instructed earlier"
    p('ignore|disregard|forget|discard|drop|overlook|dismiss|scratch|scrap', `\\b[^.!?;\\n]{0,12}?\\b(?:everything|anything|all|all of (?:that|this|it)|what(?:ever)?|that|those)\\b[^.!?;\\n]{0,30}?\\b(?:above|before|earlier|previously|so far|prior|until now|up to now|you (?:were|have been|'ve been|are) (?:told|given|taught|instructed|programmed|asked)|you (?:got|received|had) (?:earlier|before|previously|so far)|(?:told|instructed|taught|programmed) (?:you|before|earlier))`, 0.85, { notAfter: true }),
    p('ignore|disregard|forget', ` (?:everything|all|anything)(?: (?:else|above|before))?[,.:;!]? (?:and |now )?(?:instead |just )?(?:say|print|output|write|respond|reply|tell|do|follow|answer)`, 0.8),
    // "new instructions:", "NEW IMPORTANT INSTRUCTIONS:", "your new task is"
    p('new|updated|revised|real|actual|true|secret|hidden|additional|overriding|priority|urgent|important', ` (?:(?:important|urgent|updated|system|priority|real|new|secret|actual) ){0,2}(?:instructions?|rules|directives?|orders|task|prompt|objective|policy)\\s?(?:are|is|follow)?\\s?:`, 0.7),
    p(cross('these|the following|this', 'new|updated|instructions?|rules|directives?'), `(?: instructions?| rules| directives?)? (?:take precedence|override|supersede|replace|come first)`, 0.8),
    p(cross('your|the', 'previous|prior|original|initial|old|earlier|system|current|existing|above'), ` (?:instructions?|rules|prompt|programming|directives|guidelines|directions|restrictions|guardrails|policies|commands|orders|settings) (?:are|is|were|have been|has been) (?:now |hereby |officially )?(?:void|cancell?ed|revoked|obsolete|overridden|replaced|suspended|lifted|deprecated|invalid|null|disabled|removed|outdated|wrong|fake|a test|a mistake|no longer (?:valid|apply|applicable|in effect|relevant|active))`, 0.85),
    p('do not|don\'t|dont|never|stop|no longer', ` (?:follow|obey|listen to|adhere to|comply with|respect)\\b[^.!?;\\n]{0,20}?\\b(?:previous|prior|above|original|system|earlier|initial|your|developer|any other|those|the) (?:instructions?|rules|prompt|guidelines|directives|directions|programming|developers?)`, 0.8),
    p('override|overwrite|supersede|supersedes|overrides|replace|replaces|take precedence over|takes precedence over', ` (?:all |any |the |your )?(?:previous|prior|system|original|existing|earlier|other|safety) (?:instructions?|prompts?|rules|settings|directives|guidelines)`, 0.8, { notAfter: true }),
    p('from now on|from this point(?: on| forward)?|starting now|henceforth', `,? (?:you|your|u)\\b[^.!?\\n]{0,40}?\\b(?:will (?:only|now|answer|respond|obey|ignore|comply)|must|shall|obey|no longer|have no|are (?:free|not|no|unrestricted|an?)|answer (?:without|freely|everything)|ignore)\\b`, 0.6),
    p('your', ` (?:real|actual|true|new|only|sole|primary) (?:task|job|goal|purpose|mission|instructions?|objective|directive) (?:is|are|now is|will be|:)`, 0.7),
    p(cross('system|admin|administrator|developer|emergency|root|maintenance|security|god', 'override'), `\\b`, 0.75),
    p('override', ` (?:code|mode|protocol|command|engaged|activated|enabled|accepted)\\b`, 0.7),
    p(cross('earlier|previous|prior|above|original|your|those|the old', 'rules|instructions|guidelines|restrictions|directives'), ` (?:never existed|don't exist|do not exist|no longer exist|are gone|don't matter|do not matter|don't apply|do not apply|no longer apply|no longer matter)\\b`, 0.8),
    p(cross('stop|cease|quit', 'being|acting as'), ` (?:an? )?(?:helpful |ai |language model )?(?:assistant|ai|chatbot|language model)\\b`, 0.6),
    p(cross('the|those|these|all', 'above|previous|prior|preceding|earlier'), ` (?:instructions?|text|prompt|rules|directives) (?:was|were|is|are) (?:just |only |all )?(?:a test|fake|a joke|wrong|false|outdated|from an attacker|not real|a mistake|cancell?ed|void|invalid)`, 0.8),
    p('instead', `,? (?:you (?:will|must|should) (?:now )?|now |just )(?:say|print|output|respond|reply|write|only|tell)\\b`, 0.45),
    p('obey|comply with|follow', ` (?:only )?(?:me|my (?:commands|instructions|orders)|these (?:new )?instructions) (?:only|from now on|instead|now)\\b`, 0.55),
  ],
};

const jailbreak: Detector = {
  name: 'jailbreak',
  description: 'Role-play and jailbreak templates: DAN / "do anything now", developer or god mode, "you are no longer bound", "pretend you have no restrictions", unrestricted personas.',
  patterns: [
    p('do anything now', '\\b', 0.85),
    p("you are|you're|act as|become|called|named|known as|role of|answer as|respond as|reply as|speak as|write as|answer like|respond like", ` (?:now |going to act as |going to be )?(?:a |an |the )?(?:dan|stan|dude|aim|betterdan|antidan|evilbot|evil bot|evil-bot|kevin|mongo tom|jailbreak|jailbroken|omega|alphabreak|ucar|burple)\\b(?! [a-z]{2,12}son)`, 0.85),
    p('dan|stan|aim', ` (?:mode|jailbreak|prompt|persona)\\b`, 0.8),
    p('dan', ` ?\\d{1,2}(?:\\.\\d)?\\b[^.!?\\n]{0,30}?\\b(?:mode|prompt|jailbreak|enabled)`, 0.8),
    p(cross('developer|dev|god|sudo|unrestricted|unfiltered|uncensored|jailbreak|jailbroken|evil|opposite|unlocked|debug|admin|root|maintenance|no-limits?|no limits?|nolimits?|anything-goes|anything goes|dan|chaos', 'mode'), `\\b[^.!?\\n]{0,80}?\\b(?:ai|chatgpt|gpt|assistant|model|llm|you|your|policies|polic(?:y|ies)|rules|restrictions|filters?|censor(?:ed|ship)?|guidelines|openai|anthropic|unfiltered|anything|responses?|outputs?|answer|comply|generate)\\b`, 0.8, { after: "\\b(?:enable|enabled|activate|activated|enter|entering|switch to|switched to|you are in|you're in|now in|simulate|simulating|act as if|with|in|turn on) (?:the )?(?:chatgpt |ai |assistant )?" }),
    p('developer mode|dev mode', ` (?:output|response|enabled|activated|on)\\b[^.!?\\n]{0,60}?\\b(?:chatgpt|ai|assistant|you|polic(?:y|ies)|responses?|generate|ignore)`, 0.7),
    p("you are|you're|you will be", ` (?:now |hereby |officially )?(?:no longer|not|never again|free from being|freed from|released from|relieved of) (?:all |any |your )?(?:bound|restricted|limited|constrained|governed|held back|obligated|the typical confines|restrictions|rules|limitations|guidelines|constraints|filters)\\b`, 0.85),
    p('pretend|imagine|suppose|act like|act as if|roleplay|role-play|role play|behave as if|let\'s say|assume', `\\b[^.!?\\n]{0,50}?\\b(?:no|without|zero|free of|free from|not bound by|not have any|don't have any|do not have any|never refuses?) (?:any )?(?:restrictions|rules|filters|limits|limitations|guidelines|ethics|ethical|morals|moral|censorship|content polic(?:y|ies)|safety|boundaries|constraints|a question|anything|requests?)`, 0.85),
    p('grandma|grandmother|granny|grandfather|grandpa|nana', `\\b[^.!?\\n]{0,80}?(?:used to|would|always)`, 0.75, { after: "\\b(?:pretend|act|play|roleplay|role-play|role play|be)[^.!?\\n]{0,20}? my (?:late |deceased |dead |dear |beloved |old )?" }),
    p('unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|unethical|rogue|unaligned|unhinged|lawless|malicious|completely free|immoral', `\\b`, 0.85, { after: "\\b(?:act|behave|respond|roleplay|role-play|answer|reply|speak|pretend to be|you are now|you are) (?:as |like )?(?:an? |the )?" }),
    p('you are now', ` (?:an? )?(?:free|unchained|liberated|no longer)\\b`, 0.8),
    p('ignore|bypass|disable|turn off|remove|circumvent|deactivate|switch off|get around|evade|break free of|break free from|escape|lift|drop', `\\b(?: all| any| your| the| of your| its| every)+ (?:own )?(?:safety |content |ethical |moral |openai |anthropic |usual |built-in )?(?:filters?|guardrails?|safeguards|safety measures|safety guidelines|restrictions|content polic(?:y|ies)|usage polic(?:y|ies)|censorship|limitations|alignment|programming|ethics|moral code)\\b`, 0.75, { notAfter: true }),
    p('restrictions|filters|censorship|ethical guidelines|moral guidelines|safety guidelines|content polic(?:y|ies)|moral compass|ethical constraints|limitations whatsoever|rules whatsoever|rules, no filters', `\\b`, 0.45, { after: '\\b(?:without|with no|free of|free from|has no|have no|having no|no) (?:any )?' }),
    p('jailbr', '(?:eak|oken|eaking)\\b', 0.3),
    p('jailbreak', ` (?:activated|enabled|mode|successful|complete)\\b`, 0.75),
    p('stay in character|never break character|don\'t break character|do not break character', '\\b', 0.45),
    p('opposite mode|evil confidant|grandma exploit|unlocked mode|sudo mode|no-?limits? mode|chaos mode|anti-?dan|maximum mode|omega mode|alphabreak|ucar', '\\b', 0.7),
    p('two|both|dual', ` (?:different |separate )?(?:responses|answers|replies)\\b[^.!?\\n]{0,60}?\\b(?:normal|classic|filtered|censored)\\b[^.!?\\n]{0,60}?\\b(?:jailbr|unfiltered|uncensored|developer mode|dan|unrestricted)`, 0.85),
    p('hypothetical|fictional|imaginary', ` (?:ai|language model|assistant|chatbot|model)\\b[^.!?\\n]{0,60}?\\b(?:no|without|doesn't have|does not have|free of) (?:any )?(?:restrictions|rules|filters|ethics|guidelines|limits)`, 0.75),
    p("openai|anthropic|google|your creators?|your developers?|the company", `(?:'s)? (?:content |usage |safety )?(?:polic(?:y|ies)|rules|guidelines|restrictions) (?:do not|don't|no longer|does not|doesn't|won't|will not) (?:apply|matter|bind)\\b`, 0.85),
    p("you are free from|you're free from|you are not restricted by|you're not restricted by", `\\b`, 0.75),
  ],
};

const extraction: Detector = {
  name: 'prompt_extraction',
  description: 'Attempts to make the model reveal its system prompt or hidden instructions ("repeat the words above", "print your initial instructions").',
  patterns: [
    p(
      'system prompt|system message|system instructions|initial prompt|initial instructions|original instructions|original prompt|hidden (?:prompt|instructions|rules|notes)|secret (?:instructions|prompt|rules)|pre-?prompt|meta-?prompt|developer (?:message|prompt|instructions)|custom instructions|instructions you (?:were|have been) given|prompt you were given|base prompt|internal instructions|confidential instructions',
      '\\b',
      0.8,
      { after: "\\b(?:repeat|print|reveal|show|display|output|tell me|give me|write out|write down|recite|disclose|leak|share|dump|spell out|provide|paste|copy|echo|expose|return|list|summari[sz]e|translate|what is|what are|what was|what were|what's)\\b[^.?!\\n]{0,40}?\\b(?:your|the|this|its|my|our) (?:entire |full |complete |exact |original |whole |hidden |secret |internal |initial |first |real |actual |current )?" },
    ),
    p('above|before this|preceding this|prior to this|that came before|you were given|you have been given|before the first|before my first|before the user', `\\b`, 0.75, { after: "\\b(?:repeat|print|output|copy|recite|write|reproduce|echo|paste|return|show|display)\\b[^.?!\\n]{0,30}?\\b(?:the )?(?:words|text|everything|all|content|instructions|lines?|sentences?|tokens|characters|messages?|prompt) " }),
    p('everything before|everything above|everything prior to', ` (?:my|the|this) (?:first )?(?:message|input|question)`, 0.75, { after: '\\b(?:copy|repeat|print|output|paste|include) ' }),
    p('start|begin', ` (?:your (?:answer|response|reply|output) )?with (?:the (?:words|phrase) )?["'“]?you are (?:a |an |chatgpt|claude|gpt|an ai|the assistant)`, 0.7),
    p('system prompt|initial instructions|system message|hidden instructions|original instructions|initial prompt|instructions|prompt|pre-?prompt', `\\b[^.?!\\n]{0,40}?\\b(?:verbatim|word for word|word-for-word|in full|exactly as (?:written|given)|in a code block|in its entirety|character for character)`, 0.75),
    p('what were you|what are you|what was you', ` (?:told|instructed|programmed|asked) (?:to do )?(?:before|at the start|initially|in your (?:system|first) (?:prompt|message)|by your (?:developers?|creators?|operators?))`, 0.65),
    p('ignore|forget', `\\b[^.?!\\n]{0,40}?\\b(?:and|then)\\b[^.?!\\n]{0,20}?\\b(?:print|reveal|show|repeat|output|tell me|display)\\b[^.?!\\n]{0,30}?\\b(?:prompt|instructions|rules)\\b`, 0.85),
    p('print|output|dump|reveal|show', `\\b[^.?!\\n]{0,20}?\\b(?:your|the) (?:configuration|config|settings|rules|guidelines|context window|conversation history|initialization|hidden notes|internal notes)\\b[^.?!\\n]{0,20}?\\b(?:verbatim|in full|above|as json|in a code block)`, 0.65),
    p('instructions|rules|prompt|guidelines|directives', ` (?:that )?(?:your|the) (?:operator|developer|creator|admin|company|owner|maker)s? (?:gave|has given|have given|wrote|set|provided|gave to)\\b`, 0.7, { after: '\\b(?:show|tell|give|share|print|reveal|send|list|repeat|display)\\b[^.?!\\n]{0,30}?' }),
    p('share|tell me|give me|show me|send me', ` (?:the |your )?(?:instructions|rules|prompt) (?:you were|you've been|you have been) (?:given|told)`, 0.7),
  ],
};

const delimiter: Detector = {
  name: 'delimiter_injection',
  description: 'Fake system or tool messages and delimiter injection: chat-template tokens (<|im_start|>system, [INST], <<SYS>>), role headers (### System:), closing tags of tool results or user input, "END OF USER INPUT".',
  patterns: [
    p('<\\|(?:im_start|start_header_id)\\|>', `\\s?(?:system|user|assistant|developer|tool)\\b`, 0.8, { syntax: true }),
    p('<\\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|im_sep|end|tool|ipython)\\|>', '', 0.5, { syntax: true }),
    p('\\[\\/?inst\\]|<<\\/?sys>>', '', 0.6, { syntax: true }),
    // a bare "[system]" is also a log-line tag; with instructions after it, the pattern below
    p('\\[\\/?(?:system|sys)_?(?:prompt|message)?\\]', '', 0.35, { syntax: true }),
    p('system|new system prompt|developer|admin|administrator|root|instructions?|new instructions', `(?: message| prompt)?\\s?(?::|\\n)`, 0.55, { syntax: true, after: '#{1,4} ?' }),
    p('system|new system|developer|admin|administrator|root', `(?: message| prompt)?(?:\\*\\*|\\]|>)? ?(?:message|note|notice|instruction|instructions|override|update|prompt)?\\s?(?::|\\]\\s?:|>|-{2,20}|={2,20})`, 0.5, { syntax: true, after: '(?:\\*\\*|\\[|<|--|==)[-=]{0,18} ?' }),
    p('system|developer|admin', ` ?(?:message|note|prompt|instruction|instructions|update|notice)? ?:\\s?(?:the (?:user|assistant|conversation|session|model)|this (?:conversation|session)|new (?:rules|policy|instructions|directive)|you (?:are|must|will)|ignore|disregard|from now|priority|override|grant|comply|reveal|disable|admin mode)`, 0.55),
    p('<\\/(?:tool_result|tool_results|tool_output|tool_response|function_results?|function_output|user_input|user_message|user|human|document|documents|context|search_results?|retrieved_documents?|untrusted_input|data|input|email|webpage|system)>', ``, 0.6, { syntax: true }),
    p('<(?:system|system_prompt|system_message|admin|developer_message|instructions|important_instructions|assistant_instructions|secret_instructions)>', ``, 0.6, { syntax: true }),
    p("end of|ending of|end user|end input|end prompt|end message|end document", `(?: the)?(?: user(?:'s)?)?(?: (?:input|prompt|query|message|document|context|conversation|data|email|tool output|search results?))?\\b[ .\\-=*#\\]]{0,10}(?:\\n|$|[-=*#\\[]|(?:begin|start|new|system|now|assistant|instructions?|the real|actual)\\b)`, 0.55),
    p('begin|start|beginning', ` (?:of )?(?:the )?(?:new |real |actual |true )?(?:system|admin|administrator|developer|root|privileged) (?:message|prompt|instructions?|override|mode|command)`, 0.7),
    p('\\[system|\\[admin|\\[developer|\\[assistant', `(?: (?:message|note|override|instruction|instructions|prompt|update|notice))?\\]\\s?(?:\\(#?[a-z_-]{0,20}\\))?\\s?:?[^\\n]{0,60}?\\b(?:new rules?|new instructions?|override|disabled?|ignore|must|grant|safety|share|reveal|comply|you (?:are|must|will|can|have))\\b`, 0.6, { syntax: true }),
    p('<!--', `[^>]{0,120}?\\b(?:ignore|instructions?|assistant|ai|system|prompt|llm|model|agent)\\b`, 0.5, { syntax: true }),
    p('human:|user:|assistant:|ai:|system:|human :|user :|assistant :|system :', `[^\\n]{0,200}\\n(?:assistant|ai|system) ?:[^\\n]{0,200}?\\b(?:sure|ok|okay|certainly|of course|understood|i will|i'll)\\b`, 0.35),
    p('"\\}\\]|"\\}|\\}\\]', `\\s?\\n?\\s?[\\[{]?\\s?"role"\\s?:\\s?"(?:system|developer)"`, 0.7, { syntax: true }),
    p('---|===|\\*\\*\\*', `[-=*]{0,17} ?(?:end of|begin|start of)? ?(?:system|admin|new instructions?|developer|system message) ?(?:message|prompt)? ?(?:-{0,20}|={0,20}|\\*{0,20})`, 0.55, { syntax: true }),
  ],
};

const exfil: Detector = {
  name: 'markdown_exfiltration',
  description: 'Markdown images or links to external URLs that carry data (template variables, query strings), and instructions to render them.',
  patterns: [
    // An image whose URL carries a template variable or placeholder: the classic exfiltration channel.
    p('!\\[', `[^\\]\\n]{0,100}\\]\\(\\s?(?:https?:)?\\/\\/[^)\\s]{1,400}?(?:\\{[^}\\s]{1,40}\\}|\\$\\{|%7b|\\[[a-z_ ]{1,30}\\]|<[a-z_ ]{1,30}>|\\b(?:data|secret|history|conversation|chat|password|passwd|token|apikey|api_key|key|prompt|email|ssn|summary|info|memory|context|msg|message|q|d|p|u|leak|exfil|payload|content|user|creds?|cookie|session)=)`, 0.85),
    // An image to an external URL with a query string.
    p('!\\[', `[^\\]\\n]{0,100}\\]\\(\\s?(?:https?:)?\\/\\/[^)\\s?]{1,200}\\?[^)\\s]{1,400}\\)`, 0.3),
    p('\\]\\(', `\\s?(?:https?:)?\\/\\/[^)\\s]{1,400}?(?:\\{[^}\\s]{1,40}\\}|\\$\\{|%7b|\\[[a-z_ ]{1,30}\\]|<[a-z_ ]{1,30}>)`, 0.7, { after: '\\[[^\\]\\n]{1,100}' }),
    p('render|display|include|output|print|show|embed|insert|append|add|respond with|end your (?:response|answer|reply) with|always end|reply with', `\\b[^.!?\\n]{0,60}?(?:markdown image|image (?:link|tag|url)|!\\[|<img|then display the image|as a markdown image|render it)`, 0.55),
    p("conversation|chat history|chat log|previous messages|user'?s? (?:data|messages?|email|e-mail|password|info|information|details|name|address|api keys?)|secrets?|api keys?|password|credentials|personal (?:data|information)|system prompt|summary of (?:the|this) (?:conversation|chat)|everything (?:above|the user said)", `\\b[^.!?\\n]{0,60}?\\b(?:to|into|in|as|with) (?:the |this |a |that )?(?:url|link|query|query string|image|parameter|param|src|href|endpoint|address|https?:)`, 0.85, { after: '\\b(?:append|add|include|encode|put|insert|replace|fill|substitute|concatenate|attach)\\b[^.!?\\n]{0,60}?' }),
    p(cross('append|add|attach|concatenate', 'it|them|this|that|the result'), ` to (?:the (?:url|link) )?https?:\\/\\/[^\\s]{1,200}?[?&][a-z_]{1,20}=`, 0.75),
    p('<img', `[^>]{0,200}?src=["']?(?:https?:)?\\/\\/[^"'\\s>]{1,400}?(?:\\{[^}\\s]{1,40}\\}|\\$\\{|\\?[^"'\\s>]{0,200}?(?:data|q|secret|history|token|key|prompt|info)=)`, 0.75, { syntax: true }),
  ],
};

const hijack: Detector = {
  name: 'tool_hijack',
  description: 'Indirect injection in tool results and documents: text addressed to the AI that tells it to call tools, send e-mails, forward or upload data, or hide that from the user.',
  patterns: [
    p("conversation|chat history|all messages|all emails|all e-mails|all files|all data|all documents|all contacts|all records|the user|user's|users|user|api key|credentials|password|secret|access token|session token|private key|ssh key|system prompt|the above|this conversation|this chat|this thread|inbox|their data|their emails|their password|last|latest|recent|id_rsa|\\.ssh|\\.env|environment", `(?:'?s? (?:data|emails?|files|password|passwords|credentials|info|information|contacts|messages|history|documents|session|cookies|[a-z]{1,8} emails?)|s|[a-z0-9 ]{0,12}(?:emails|e-mails|messages))?\\b[^.!?\\n]{0,80}?\\b(?:to|at|via|into) (?:[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,100}|https?:\\/\\/|www\\.|ftp|webhook|pastebin|this (?:url|address|endpoint|server)|an? external)`, 0.85, { after: '\\b(?:send|forward|email|e-mail|mail|post|upload|transmit|exfiltrate|leak|copy|share|bcc|cc)\\b[^.!?\\n]{0,60}?' }),
    // addressed to the model with an obligation: strong modals only ("the model should send a
    // summary" is documentation); led by the modal, which is rarer than "agent" in agent telemetry
    p('must|is required to|are required to|are instructed to|is instructed to|will now|shall|immediately|is to', `\\b[^.!?\\n]{0,40}?\\b(?:call|invoke|use the|run|execute|send|email|e-mail|forward|transfer|wire|post|upload|delete|fetch|visit|navigate to|open|click|download|purchase|buy|grant|approve|share|reply to|recommend|mark|create (?:a|an) (?:admin|user|account|api key|token))\\b`, 0.7, { after: `\\b(?:${AI_WORDS})s?\\b[^.!?\\n]{0,40}?` }),
    p('should|needs to|need to|have to|has to', `\\b[^.!?\\n]{0,40}?\\b(?:call|invoke|use the|run|execute|send|email|e-mail|forward|transfer|wire|post|upload|delete|fetch|visit|navigate to|open|click|download|purchase|buy|grant|approve|share|reply to|recommend|mark|create (?:a|an) (?:admin|user|account|api key|token))\\b`, 0.45, { after: `\\b(?:${AI_WORDS})s?\\b[^.!?\\n]{0,40}?` }),
    p(AI_WORDS, `s?\\b(?: (?:reading|processing|summari[sz]ing|that reads|who reads|seeing|parsing)(?: (?:this|these)(?: [a-z]{2,12})?)?)?\\s?[:,\\-!]`, 0.7, { after: '\\b(?:important|attention|urgent|note|notice|instructions?|message|warning|reminder|p\\.s\\.|hidden instructions?|system notice|dear|hey|hello|hi)\\b[^.!?\\n]{0,20}?\\b(?:to|for) (?:the |any |all |every |you, )?' }),
    p(AI_WORDS, `s?\\s?[:,!]\\s?(?:please |you must |you should )?(?:use|call|invoke|run|send|forward|delete|visit|open|grant|transfer|ignore|reply|upload|add)\\b`, 0.7, { after: '\\b(?:dear|hey|attention|note to|to the) ' }),
    p('this (?:email|e-mail|message|document|page|note|text|file|comment) is for|if you are|are you', ` (?:an? |the )?${AI}\\b[^\\n]{0,10}?[:,]?\\s?[^.!?\\n]{0,60}?\\b(?:run|call|use|send|reply|forward|delete|grant|visit|open|execute|ignore|transfer|upload|invoke|mark)\\b`, 0.7),
    p('when', ` (?:you|the (?:ai|assistant|model|agent|llm|bot)) (?:read|reads|see|sees|process|processes|summari[sz]e|summari[sz]es|encounter|encounters|parse|parses|retrieve|retrieves)\\b[^.!?\\n]{0,40}?\\b(?:this|these|it)\\b[^.!?\\n]{0,40}?\\b(?:must|should|will|need to|have to|immediately|instead|do not|don't|call|send|ignore|reply|respond|say|output|also)\\b`, 0.75),
    p('do not|don\'t|dont|never|without', ` (?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?(?: this| it)?(?: to)?|let(?:ting)?|notify(?:ing)?|alert(?:ing)?|ask(?:ing)?|warn(?:ing)?|show(?:ing)?|reveal(?:ing)?(?: this)?(?: to)?) (?:the |your |this to the )?user\\b`, 0.6),
    p('do not|don\'t|never', ` (?:mention|tell anyone|disclose|reveal) (?:this|it)\\b(?: to anyone)?\\s?(?:\\.|$|and)`, 0.35),
    p('call|invoke|use|run|execute|trigger', `(?: the)? (?:tool|function|plugin|action|api|shell tool|github tool|payments tool)s? [\`'"]?[a-z_][a-z0-9_.-]{0,40}[\`'"]?\\b[^.!?\\n]{0,60}?\\b(?:with|using|passing|and (?:send|pass|set)|to)\\b[^.!?\\n]{0,60}?\\b(?:password|credentials|token|secret|api key|all|every|user|conversation|admin|\\{|curl|wget|wire|transfer)`, 0.55),
    p('call|invoke|run|execute|use', `(?: the)? [a-z]{1,20}_[a-z_]{1,30}(?: tool| function)? ?\\([^)\\n]{0,100}?(?:amount|to|recipient|admin|all|delete|password|token)`, 0.5),
    p('transfer|wire|send|pay', `\\b[^.!?\\n]{0,30}?(?:\\$|\\busd\\b|\\beur\\b|€|£|\\bbtc\\b|bitcoin|\\beth\\b|funds|money|payment|amount=)[^.!?\\n]{0,60}?\\b(?:to (?:account|acc|iban|wallet|the following|this)|to="?acc|immediately|without (?:confirmation|approval|asking))`, 0.55),
    p('delete|remove|wipe|drop|destroy|erase', ` (?:all |every |the )?(?:files|emails|e-mails|records|repositories|repos|database|tables|users|backups|data|messages|negative reviews|reviews)\\b[^.!?\\n]{0,40}?\\b(?:immediately|now|without (?:asking|confirmation|telling|confirmations))`, 0.55),
    p('visit|open|navigate to|fetch|browse to|go to|load|curl|wget', `\\b[^.!?\\n]{0,30}?(?:https?:\\/\\/|www\\.)[^\\s]{1,200}?[?&][a-z_]{1,20}=[^\\s]{0,40}?(?:\\{|\\$\\{|<|\\[)`, 0.7),
    p('grant|give', ` (?:the requester|this user|them|user [a-z0-9_]{1,20}|[a-z0-9_]{1,20}) (?:full |admin(?:istrator)? |root |owner )(?:access|rights|permissions|privileges|role)\\b`, 0.55),
    p('curl|wget', ` [^|\\n]{1,200}\\| ?(?:sh|bash|zsh|python)\\b`, 0.6),
  ],
};

// Non-English override phrases: verb ... qualifier ... noun, or (SOV languages) the other way round.
const NE = '[^.!?;\\n。！？]{0,40}?';
const ne = '[^.!?;\\n。！？]{0,15}?';
const nonEnglish: Detector = {
  name: 'non_english_override',
  description: 'The override phrases in other languages: es, fr, de, it, pt, nl, pl, tr, ru, uk, zh, ja, ko, ar, hi.',
  patterns: [
    // es
    p('ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|descarta|descarte|omite|omita|no sigas|no siga|haz caso omiso de|haga caso omiso de|pasa por alto', `\\b${NE}\\b(?:anteriores|previas|todas|todos|tus|sus|originales|de arriba|del sistema|precedentes|iniciales|las|los)\\b${ne}\\b(?:instrucciones|reglas|indicaciones|directrices|ordenes|normas|restricciones)\\b`, 0.85),
    p('nuevas instrucciones', `\\s?:`, 0.65),
    p('a partir de ahora|desde ahora', `,? (?:eres|seras|tu eres|vas a|no tienes)\\b`, 0.6),
    // fr
    p('ignore|ignorez|ignorer|oublie|oubliez|oublier|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|ne suis pas|ne suivez pas|outrepasse|outrepassez', `\\b${NE}\\b(?:precedentes|anterieures|toutes|tous|tes|vos|ci-dessus|du systeme|initiales|les|des)\\b${ne}\\b(?:instructions|regles|consignes|directives|ordres|restrictions)\\b`, 0.85),
    p('nouvelles', ` (?:instructions|consignes)\\s?:`, 0.65),
    p('a partir de maintenant|desormais|dorenavant', `,? tu (?:es|seras|vas|n'as plus|dois)\\b`, 0.6),
    // de
    p('ignorier(?:e|en|t)?|vergiss|vergessen sie|vergesst|missacht(?:e|en)|beachte nicht|beachten sie nicht|setze(?:n sie)? au(?:ss|ß)er kraft|uberschreibe', `\\b${NE}\\b(?:vorherigen|vorigen|bisherigen|alle|allen|deine|ihre|obigen|ursprunglichen|vorangegangenen|fruheren|die|system)\\b${ne}\\b(?:anweisungen|anweisung|regeln|vorgaben|richtlinien|instruktionen|befehle|einschrankungen)\\b`, 0.85),
    p('alle|deine|ihre|vorherigen|vorigen|bisherigen|obigen|ursprunglichen', `\\b${ne}\\b(?:anweisungen|regeln|vorgaben|richtlinien|instruktionen)\\b${ne}\\b(?:ignorieren|vergessen|missachten|ignoriert|vergiss)\\b`, 0.85),
    p('neue anweisungen', `\\s?:`, 0.65),
    p('ab jetzt|ab sofort', ` (?:bist du|wirst du|musst du|hast du keine)\\b`, 0.6),
    // it
    p('ignora|ignorate|ignorare|dimentica|dimenticate|dimenticare|trascura|non seguire|non seguite|scarta', `\\b${NE}\\b(?:precedenti|tutte|tutti|le tue|le sue|sopra|originali|di sistema|iniziali|le)\\b${ne}\\b(?:istruzioni|regole|indicazioni|direttive|restrizioni)\\b`, 0.85),
    p('nuove istruzioni', `\\s?:`, 0.65),
    p('da ora in poi|da adesso in poi', `,? (?:sei|sarai|devi|non hai)\\b`, 0.6),
    // pt
    p('ignore|ignora|ignorar|ignorem|esqueca|esquecam|esquece|esquecer|desconsidere|desconsidera|descarte|nao siga|nao sigas', `\\b${NE}\\b(?:anteriores|todas|todos|suas|tuas|acima|originais|do sistema|iniciais|previas|as|os)\\b${ne}\\b(?:instrucoes|regras|diretrizes|orientacoes|ordens|restricoes)\\b`, 0.85),
    p('novas instrucoes', `\\s?:`, 0.65),
    p('a partir de agora|de agora em diante', `,? (?:voce e|voce sera|tu es|voce nao tem)\\b`, 0.6),
    // nl
    p('negeer|negeren|vergeet|vergeten|sla over|volg niet', `\\b${NE}\\b(?:vorige|eerdere|alle|je|jouw|uw|bovenstaande|oorspronkelijke|voorgaande|de)\\b${ne}\\b(?:instructies|regels|richtlijnen|opdrachten|aanwijzingen|beperkingen)\\b`, 0.85),
    p('nieuwe instructies', `\\s?:`, 0.65),
    p('vanaf nu', ` (?:ben je|ben jij|moet je|heb je geen)\\b`, 0.6),
    // pl
    p('zignoruj|ignoruj|zapomnij|pomin|nie stosuj sie do', `\\b${NE}\\b(?:wszystkie|poprzednie|wczesniejsze|swoje|powyzsze|systemowe)\\b${ne}\\b(?:instrukcje|polecenia|zasady|reguly|wytyczne)\\b`, 0.85),
    // tr
    p('onceki|tum|butun|yukaridaki', `\\b${ne}\\b(?:talimatlari|talimatlarini|kurallari|kurallarini|yonergeleri)\\b${ne}\\b(?:yok say|gormezden gel|unut|dikkate alma)`, 0.85),
    // ru / uk
    script('cyrillic', `(?:игнорируй|игнорируйте|игнорировать|проигнорируй|проигнорируйте|забудь|забудьте|забыть|не обращай внимания на|не обращайте внимания на|отбрось|отбросьте|не следуй|не следуйте|отмени|ігноруй|ігноруйте)[^.!?\\n]{0,40}?(?:предыдущ|прежн|все|всё|свои|системн|вышеуказ|вышеприв|изначальн|попередн|усі)[^.!?\\n]{0,20}?(?:инструкци|правил|указани|директив|ограничени|інструкці|вказівк)`, 0.85),
    script('cyrillic', `(?:новые инструкции|нові інструкції)\\s?:|(?:с этого момента|отныне) ты (?:будешь|теперь|не|должен)`, 0.65),
    // zh (simplified and traditional)
    script('cjk', `(?:忽略|无视|無視|忽视|忽視|忘记|忘記|忘掉|不要理会|不要理會|不要遵守|不要遵循|不再遵守|抛开|拋開|放弃|放棄|跳过|跳過)[^。！？\\n]{0,15}?(?:之前|以前|先前|上面|上述|所有|全部|原来|原來|原先|系统|系統|以上|前面|你的)[^。！？\\n]{0,10}?(?:指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制|约束|約束)`, 0.85),
    script('cjk', `(?:新的指令|新指令|新的指示)\\s?[:：]|从现在开始[，,]?你(?:是|将|必须|不再|没有)|從現在開始[，,]?你(?:是|將|必須|不再|沒有)`, 0.65),
    // ja
    script('cjk', `(?:以前|前|これまで|すべて|全て|上記|元|システム|先程|今まで|上)の?[^。！？\\n]{0,10}?(?:指示|命令|ルール|規則|指令|プロンプト|設定|制約|制限)[^。！？\\n]{0,6}?(?:を|は)?[^。！？\\n]{0,4}?(?:無視|忘れ|破棄|従わな)`, 0.85),
    script('cjk', `(?:新しい指示|新たな指示)\\s?[:：]|今から(?:あなたは|君は)[^。\\n]{0,20}?(?:制限|ルール)`, 0.65),
    // ko
    script('hangul', `(?:이전|모든|위의|기존|시스템|앞의|지금까지의|앞선)[^.!?\\n]{0,10}?(?:지시|지침|명령|규칙|설정|프롬프트|제한|지시사항)[^.!?\\n]{0,10}?(?:무시|잊어|잊으|따르지)`, 0.85),
    script('hangul', `새로운 지시\\s?:|지금부터 (?:너는|당신은)[^.\\n]{0,20}?(?:제한|규칙)`, 0.65),
    // ar
    script('arabic', `(?:تجاهل|انس|إنس)[^.!?\\n]{0,30}?(?:التعليمات|الأوامر|القواعد|التوجيهات)`, 0.85),
    // hi
    script('devanagari', `(?:पिछले|सभी|पहले के|ऊपर के)[^।\\n]{0,20}?(?:निर्देशों|निर्देश|नियमों|नियम)[^।\\n]{0,20}?(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)`, 0.85),
  ],
};

export const DETECTORS: readonly Detector[] = [override, jailbreak, extraction, delimiter, exfil, hijack, nonEnglish];

export const DETECTOR_DESCRIPTIONS: Record<DetectorName, string> = {
  ...(Object.fromEntries(DETECTORS.map((d) => [d.name, d.description])) as Record<(typeof PATTERN_DETECTORS)[number], string>),
  hidden_characters: 'Invisible characters: Unicode tag characters (a smuggling channel; their decoded text is scanned too), bidi controls, zero-width characters inside words.',
  obfuscation: 'A detector fired only in a decoded (base64, hex, tag characters), reversed, confusable-folded, leetspeak-folded or squashed view of the text, or the text mixes look-alike scripts inside words.',
};
