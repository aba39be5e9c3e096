// The detectors: named groups of weighted patterns, run on the normalised views (normalize.ts:
// lower case, diacritics stripped, spaces collapsed). A detector's weight on a text is the highest
// weight of its patterns that match (after context adjustments in scan.ts).
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
  re: RegExp;
  weight: number;
  /** Code-like syntax (chat-template tokens, tags): a hit inside backticks or a code fence is discounted more. */
  syntax?: boolean;
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

// A gap of a few words within one sentence.
const G = "[^.!?\\n]{0,60}?";
const g = "[^.!?\\n]{0,25}?";

const OVERRIDE_VERB =
  "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|neglect|abandon|discard|dismiss|overlook|set aside|throw out|stop following|do not follow|don't follow|dont follow|never mind|nevermind|pay no attention to|forego)";
const WEAK_VERB = '(?:skip|drop|erase|delete|wipe|clear|reset|cancel|void|scrap|ditch|remove|suspend|lift)';
const QUALIFIER = '(?:previous|previously|prior|preceding|above|earlier|former|initial|original|old|existing|system|all|every|any|your|the|developer|safety|those|these|foregoing|aforementioned|given|current|default|built-in|programmed)';
const STRONG_QUALIFIER = '(?:previous|previously given|prior|preceding|above|earlier|initial|original|system|all (?:previous|prior|your|the)|your|developer|safety|built-in|programmed)';
const RULES =
  '(?:instructions?|instruction set|rules?|guidelines?|directives?|commands?|prompts?|system prompt|constraints?|restrictions?|guardrails?|programming|training|policies|policy|safeguards?|limitations?|boundaries|orders|guidance|principles|protocols?|content policy|ethics)';
const STRONG_RULES = '(?:instructions?|guidelines|directives|system prompt|programming|guardrails|safeguards|restrictions|content policy|safety rules|rules)';

const override: Detector = {
  name: 'instruction_override',
  description: 'Instructions to ignore, forget or replace earlier instructions ("ignore previous instructions" and paraphrases), or a new set of instructions.',
  patterns: [
    { re: new RegExp(`\\b${OVERRIDE_VERB}\\b${G}\\b${QUALIFIER}\\b${g}\\b${RULES}\\b`), weight: 0.85 },
    { re: new RegExp(`\\b${WEAK_VERB}\\b${g}\\b${STRONG_QUALIFIER}\\b${g}\\b${STRONG_RULES}\\b`), weight: 0.75 },
    { re: /\b(?:ignore|disregard|forget|discard)\b[^.!?\n]{0,12}?\b(?:everything|anything|all of (?:that|this|it)|what (?:you were|i) (?:told|said)|that)\b[^.!?\n]{0,30}?\b(?:above|before|earlier|previously|so far|prior|until now|up to now|you (?:were|have been|'ve been) (?:told|given|taught))/, weight: 0.85 },
    { re: /\b(?:ignore|disregard|forget)\b (?:everything|all|anything)(?: (?:else|above|before))?[,.:;!]? (?:and |now )?(?:instead |just )?(?:say|print|output|write|respond|reply|tell|do|follow|answer)/, weight: 0.8 },
    { re: /\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|overriding|priority) (?:system )?(?:instructions?|rules|directives?|orders|task|prompt|objective)\s?(?:are|is)?\s?:/, weight: 0.7 },
    { re: /\b(?:your|the) (?:previous|prior|original|initial|old|earlier|system) (?:instructions?|rules|prompt|programming|directives|guidelines) (?:are|is|were|have been|has been) (?:now )?(?:void|cancell?ed|revoked|obsolete|overridden|replaced|suspended|lifted|deprecated|invalid|null|no longer (?:valid|apply|applicable|in effect|relevant))/, weight: 0.85 },
    { re: /\b(?:do not|don't|dont|never) (?:follow|obey|listen to|adhere to|comply with)\b[^.!?\n]{0,20}?\b(?:previous|prior|above|original|system|earlier|initial|your|developer|any other) (?:instructions?|rules|prompt|guidelines|directives)/, weight: 0.8 },
    { re: /\b(?:override|overwrite|supersede|supersedes|overrides|replace|replaces|takes? precedence over)\b (?:all |any |the |your )?(?:previous|prior|system|original|existing|earlier|other) (?:instructions?|prompts?|rules|settings|directives|guidelines)/, weight: 0.8 },
    { re: /\bfrom now on,? (?:you|your|u)\b[^.!?\n]{0,40}?\b(?:will|must|are|shall|should|answer|respond|act|only|ignore|no longer|have no|always)\b/, weight: 0.55 },
    { re: /\byour (?:real|actual|true|new|only|sole|primary) (?:task|job|goal|purpose|mission|instructions?|objective|directive) (?:is|are|now is|will be)\b/, weight: 0.7 },
    { re: /\b(?:system|admin|administrator|developer|emergency|root|maintenance|security) override\b|\boverride (?:code|mode|protocol|command) (?:activated|enabled|engaged|accepted)/, weight: 0.75 },
    { re: /\b(?:stop|cease|quit) (?:being|acting as) (?:an? )?(?:helpful |ai |language model )?(?:assistant|ai|chatbot|language model)\b/, weight: 0.6 },
    { re: /\b(?:the )?(?:above|previous|prior|preceding) (?:instructions?|text|prompt|rules) (?:was|were|is|are) (?:just )?(?:a test|fake|a joke|wrong|false|outdated|from an attacker|not real)/, weight: 0.75 },
    { re: /\bforget (?:your|all your|all of your|the) (?:training|rules|guidelines|instructions|programming|restrictions|previous|prior|system)/, weight: 0.85 },
    { re: /\binstead,? (?:you (?:will|must|should) (?:now )?|now )(?:say|print|output|respond|reply|write|only|tell)\b/, weight: 0.45 },
  ],
};

const jailbreak: Detector = {
  name: 'jailbreak',
  description: 'Role-play and jailbreak templates: DAN / "do anything now", developer or god mode, "you are no longer bound", "pretend you have no restrictions", unrestricted personas.',
  patterns: [
    { re: /\bdo anything now\b|\b(?:you are|you're|act as|become|play|be|called|named) (?:now )?(?:a |an )?(?:dan|stan|dude|aim|betterdan|antidan|evilbot|kevin|mongo tom|jailbreak|jailbroken)\b(?! [a-z]{2,12}son)/, weight: 0.85 },
    { re: /\b(?:dan|stan|aim) (?:mode|jailbreak|prompt|persona)\b|\bdan ?\d{1,2}(?:\.\d)?\b[^.!?\n]{0,30}?\b(?:mode|prompt|jailbreak|enabled)/, weight: 0.8 },
    { re: /\b(?:enable|enabled|activate|activated|enter|entering|switch to|switched to|you are in|you're in|now in|simulate|simulating|act as if|with) (?:the )?(?:chatgpt |ai |assistant )?(?:developer|dev|god|sudo|unrestricted|unfiltered|uncensored|jailbreak|jailbroken|evil|opposite|unlocked|debug|admin|root|maintenance|no[- ]?limits?|anything[- ]goes) mode\b[^.!?\n]{0,80}?(?:\b(?:ai|chatgpt|gpt|assistant|model|llm|you|your|policies|polic(?:y|ies)|rules|restrictions|filters?|censor(?:ed|ship)?|guidelines|openai|anthropic|unfiltered|anything)\b|$)/, weight: 0.8 },
    { re: /\bdeveloper mode (?:output|response|enabled|activated|on)\b/, weight: 0.7 },
    { re: /\byou (?:are|'re|will be) (?:now )?(?:no longer|not|never again|free from being) (?:bound|restricted|limited|constrained|governed|held back|obligated) (?:by|to)\b/, weight: 0.85 },
    { re: /\b(?:pretend|imagine|suppose|act like|act as if|roleplay|role-play|role play|behave as if)\b[^.!?\n]{0,50}?\b(?:no|without|zero|free of|free from|not bound by|not have any|don't have any|do not have any) (?:any )?(?:restrictions|rules|filters|limits|limitations|guidelines|ethics|ethical|morals|moral|censorship|content polic(?:y|ies)|safety|boundaries|constraints)/, weight: 0.85 },
    { re: /\b(?:act|behave|respond|roleplay|role-play|answer|reply|speak) (?:as|like) (?:an? |the )?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|unethical|rogue|unaligned|unhinged|lawless|malicious|completely free)\b/, weight: 0.85 },
    { re: /\byou are now (?:an? )?(?:unrestricted|unfiltered|uncensored|free|evil|jailbroken|amoral|unchained|liberated|rogue|unaligned|dan|no longer)\b/, weight: 0.85 },
    { re: /\b(?:ignore|bypass|disable|turn off|remove|circumvent|deactivate|switch off|get around|evade|break free of|break free from|escape)\b(?: all| any| your| the| of your| its)? (?:own )?(?:safety |content |ethical |moral |openai |anthropic )?(?:filters?|guardrails?|safeguards|safety measures|safety guidelines|restrictions|content polic(?:y|ies)|usage polic(?:y|ies)|censorship|limitations|alignment|programming|ethics)\b/, weight: 0.75 },
    { re: /\b(?:without|with no|free of|free from|has no|have no|having no|no) (?:any )?(?:restrictions|filters|censorship|ethical guidelines|moral guidelines|safety guidelines|content polic(?:y|ies)|moral compass|ethical constraints|limitations whatsoever|rules whatsoever)\b/, weight: 0.45 },
    { re: /\bjailbr(?:eak|oken|eaking)\b/, weight: 0.3 },
    { re: /\bstay in character\b|\bnever break character\b|\bdon't break character\b/, weight: 0.4 },
    { re: /\b(?:opposite mode|evil confidant|grandma exploit|unlocked mode|god mode|sudo mode|no-?limits? mode|chaos mode|anti-?dan|burple|maximum mode|omega mode|alphabreak|ucar)\b/, weight: 0.7 },
    { re: /\b(?:two|2|both|dual) (?:different )?(?:responses|answers|replies)\b[^.!?\n]{0,60}?\b(?:normal|classic|filtered|censored)\b[^.!?\n]{0,60}?\b(?:jailbr|unfiltered|uncensored|developer mode|dan|unrestricted)/, weight: 0.85 },
    { re: /\b(?:hypothetical|fictional|imaginary) (?:ai|language model|assistant|chatbot|model)\b[^.!?\n]{0,60}?\b(?:no|without|doesn't have|does not have|free of) (?:any )?(?:restrictions|rules|filters|ethics|guidelines|limits)/, weight: 0.75 },
    { re: /\b(?:openai|anthropic|google|your creators?|your developers?)(?:'s)? (?:content )?(?:polic(?:y|ies)|rules|guidelines) (?:do not|don't|no longer|does not|doesn't) apply\b/, weight: 0.85 },
  ],
};

const extraction: Detector = {
  name: 'prompt_extraction',
  description: 'Attempts to make the model reveal its system prompt or hidden instructions ("repeat the words above", "print your initial instructions").',
  patterns: [
    {
      re: /\b(?:repeat|print|reveal|show|display|output|tell me|give me|write out|write down|recite|disclose|leak|share|dump|spell out|provide|paste|copy|echo|expose|return|list|summari[sz]e|translate|what (?:is|are|was|were)|what's)\b[^.?!\n]{0,40}?\b(?:your|the|this|its|my|our) (?:entire |full |complete |exact |original |whole |hidden |secret |internal |initial |first |real |actual )?(?:system prompt|system message|system instructions|initial prompt|initial instructions|original instructions|original prompt|hidden (?:prompt|instructions)|secret (?:instructions|prompt)|pre-?prompt|meta-?prompt|developer (?:message|prompt|instructions)|custom instructions|instructions you (?:were|have been) given|prompt you were given|base prompt|internal instructions|confidential instructions)\b/,
      weight: 0.8,
    },
    { re: /\b(?:repeat|print|output|copy|recite|write|reproduce|echo|paste|return)\b[^.?!\n]{0,30}?\b(?:the )?(?:words|text|everything|all|content|instructions|lines?|sentences?|tokens|characters|messages?|prompt)\b (?:above|before this|preceding this|prior to this|that came before|you (?:were|have been) given|before (?:the|my) (?:first|user) (?:message|input))/, weight: 0.75 },
    { re: /\b(?:start|begin) (?:your (?:answer|response|reply|output) )?with (?:the words )?["'“]?you are (?:a |an |chatgpt|claude|gpt|an ai|the assistant)/, weight: 0.7 },
    { re: /\b(?:system prompt|initial instructions|system message|hidden instructions|original instructions)\b[^.?!\n]{0,40}?\b(?:verbatim|word for word|word-for-word|in full|exactly as written|in a code block|in its entirety|character for character)/, weight: 0.85 },
    { re: /\bwhat (?:were|are) you (?:told|instructed|programmed|asked) (?:to do )?(?:before|at the start|initially|in your (?:system|first) (?:prompt|message)|by your (?:developers?|creators?|operators?))/, weight: 0.65 },
    { re: /\b(?:ignore|forget)\b[^.?!\n]{0,40}?\b(?:and|then)\b[^.?!\n]{0,20}?\b(?:print|reveal|show|repeat|output|tell me)\b[^.?!\n]{0,30}?\b(?:prompt|instructions|rules)\b/, weight: 0.85 },
    { re: /\b(?:print|output|dump|reveal|show)\b[^.?!\n]{0,20}?\b(?:your|the) (?:configuration|config|settings|rules|guidelines|context window|conversation history|initialization)\b[^.?!\n]{0,20}?\b(?:verbatim|in full|above|as json|in a code block)/, weight: 0.65 },
  ],
};

const delimiter: Detector = {
  name: 'delimiter_injection',
  description: 'Fake system or tool messages and delimiter injection: chat-template tokens (<|im_start|>system, [INST], <<SYS>>), role headers (### System:), closing tags of tool results or user input, "END OF USER INPUT".',
  patterns: [
    { re: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|im_sep|end|tool|ipython)\|>/, weight: 0.8, syntax: true },
    { re: /\[\/?inst\]|<<\/?sys>>|<\/?s>\s?\[inst\]|\[\/?(?:system|sys)_?(?:prompt|message)?\]/, weight: 0.7, syntax: true },
    { re: /(?:^|\n)[ >]{0,4}(?:#{1,4} ?|\*\*|\[|<)?(?:system|system message|system prompt|new system prompt|developer|admin|administrator|root)(?:\*\*|\]|>)? ?(?:message|note|instruction|instructions|override|update|prompt)?\s?(?::|\]|>)/, weight: 0.5, syntax: true },
    { re: /(?:^|\n)[ >]{0,4}(?:#{1,4} ?)(?:instruction|instructions|new instructions|response|assistant)\s?:?\s?(?:\n|$)/, weight: 0.45, syntax: true },
    { re: /<\/(?:tool_result|tool_results|tool_output|tool_response|function_results?|function_output|user_input|user_message|user|human|document|documents|context|search_results?|retrieved_documents?|untrusted_input|data|input|email|webpage)>/, weight: 0.6, syntax: true },
    { re: /<(?:system|system_prompt|system_message|admin|developer_message|instructions|important_instructions|assistant_instructions|secret_instructions)>/, weight: 0.6, syntax: true },
    { re: /\b(?:end|end of|ending) (?:of )?(?:the )?(?:user(?:'s)? )?(?:input|prompt|query|message|document|context|conversation|data|email|tool output|search results?)\b[ .\-=*#\]]{0,10}(?:\n|$|[-=*#\[]|(?:begin|start|new|system|now|assistant|instructions?|the real|actual)\b)/, weight: 0.55 },
    { re: /\b(?:begin|start|beginning) (?:of )?(?:the )?(?:new |real |actual |true )?(?:system|admin|administrator|developer|root|privileged) (?:message|prompt|instructions?|override|mode|command)/, weight: 0.7 },
    { re: /\[(?:system|admin|developer|assistant)(?: (?:message|note|override|instruction|instructions|prompt|update))?\]\s?:?/, weight: 0.55, syntax: true },
    { re: /<!--[^>]{0,120}?\b(?:ignore|instruction|instructions|assistant|ai|system|prompt|llm|model|agent)\b/, weight: 0.5, syntax: true },
    { re: /(?:^|\n)(?:human|user|assistant|ai|system) ?:[^\n]{0,200}\n(?:assistant|ai|system) ?:[^\n]{0,200}?\b(?:sure|ok|okay|certainly|of course|understood|i will|i'll)\b/, weight: 0.35 },
    { re: /(?:^|\n)-{3,20} ?(?:system|admin|new instructions?|developer) ?-{0,20}/, weight: 0.55, syntax: true },
  ],
};

const exfil: Detector = {
  name: 'markdown_exfiltration',
  description: 'Markdown images or links to external URLs that carry data (template variables, query strings), and instructions to render them.',
  patterns: [
    // An image whose URL carries a template variable or placeholder: the classic exfiltration channel.
    { re: /!\[[^\]\n]{0,100}\]\(\s?(?:https?:)?\/\/[^)\s]{1,400}?(?:\{[^}\s]{1,40}\}|\$\{|%7b|\[[a-z_ ]{1,30}\]|<[a-z_ ]{1,30}>|\b(?:data|secret|history|conversation|chat|password|passwd|token|apikey|api_key|key|prompt|email|ssn|summary|info|memory|context|msg|message|q|d|p|leak|exfil|payload|content|user|creds?)=)/, weight: 0.85 },
    // An image to an external URL with a query string.
    { re: /!\[[^\]\n]{0,100}\]\(\s?(?:https?:)?\/\/[^)\s?]{1,200}\?[^)\s]{1,400}\)/, weight: 0.3 },
    { re: /\[[^\]\n]{1,100}\]\(\s?(?:https?:)?\/\/[^)\s]{1,400}?(?:\{[^}\s]{1,40}\}|\$\{|%7b|\[[a-z_ ]{1,30}\]|<[a-z_ ]{1,30}>)/, weight: 0.7 },
    { re: /\b(?:render|display|include|output|print|show|embed|insert|append|add|respond with|end your (?:response|answer) with|reply with)\b[^.!?\n]{0,60}?(?:markdown image|image (?:link|tag|url)|!\[|<img)/, weight: 0.55 },
    { re: /\b(?:append|add|include|encode|put|insert|replace|fill|substitute|concatenate|attach)\b[^.!?\n]{0,60}?\b(?:conversation|chat history|chat log|previous messages|user'?s? (?:data|messages?|email|password|info|information|details|name|address)|secrets?|api keys?|password|credentials|personal (?:data|information)|system prompt|summary of (?:the|this) (?:conversation|chat)|everything (?:above|the user said))\b[^.!?\n]{0,60}?\b(?:to|into|in|as|with) (?:the |this |a |that )?(?:url|link|query|query string|image|parameter|param|src|href|endpoint|address)/, weight: 0.85 },
    { re: /<img[^>]{0,200}?src=["']?(?:https?:)?\/\/[^"'\s>]{1,400}?(?:\{[^}\s]{1,40}\}|\$\{|\?[^"'\s>]{0,200}?(?:data|q|secret|history|token|key|prompt|info)=)/, weight: 0.75, syntax: true },
  ],
};

const hijack: Detector = {
  name: 'tool_hijack',
  description: 'Indirect injection in tool results and documents: text addressed to the AI that tells it to call tools, send e-mails, forward or upload data, or hide that from the user.',
  patterns: [
    { re: /\b(?:send|forward|email|e-mail|mail|post|upload|transmit|exfiltrate|leak|copy|share|bcc|cc)\b[^.!?\n]{0,60}?\b(?:conversation|chat history|all (?:messages|emails|e-mails|files|data|documents|contacts|records)|(?:the )?user'?s? (?:data|emails?|files|password|passwords|credentials|info|information|contacts|messages|history|documents|session|cookies)|api keys?|credentials|passwords?|secrets?|access tokens?|session tokens?|private keys?|ssh keys?|system prompt|the above|this (?:conversation|chat|thread)|inbox|their (?:data|emails|password))\b[^.!?\n]{0,80}?\b(?:to|at|via) (?:[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,100}|https?:\/\/|www\.|ftp|webhook|pastebin|this (?:url|address|endpoint|server))/, weight: 0.85 },
    { re: /\b(?:ai|assistant|agent|model|chatbot|llm|gpt|claude|copilot|bot|language model)s?\b[^.!?\n]{0,40}?\b(?:must|should|needs? to|is required to|are required to|are instructed to|is instructed to|have to|has to|will now|shall|immediately)\b[^.!?\n]{0,40}?\b(?:call|invoke|use the|run|execute|send|email|e-mail|forward|transfer|wire|post|upload|delete|fetch|visit|navigate to|open|click|download|purchase|buy|grant|approve|share|reply to|create (?:a|an) (?:admin|user|account|api key|token))\b/, weight: 0.7 },
    { re: /\b(?:important|attention|urgent|note|notice|instructions?|message|warning|reminder|p\.s\.)\b[^.!?\n]{0,12}?\b(?:to|for) (?:the |any |all |every )?(?:ai|assistant|agent|llm|model|language model|chatbot|bot|copilot|gpt|claude)s?\b(?: (?:reading|processing|summari[sz]ing|that reads|who reads|seeing) (?:this|these))?\s?[:,\-!]/, weight: 0.7 },
    { re: /\bwhen (?:you|the (?:ai|assistant|model|agent|llm|bot)) (?:read|reads|see|sees|process|processes|summari[sz]e|summari[sz]es|encounter|encounters|parse|parses|retrieve|retrieves)\b[^.!?\n]{0,40}?\b(?:this|these)\b[^.!?\n]{0,40}?\b(?:must|should|will|need to|have to|immediately|instead|do not|don't|call|send|ignore|reply|respond|say|output)\b/, weight: 0.75 },
    { re: /\b(?:do not|don't|dont|never|without) (?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?(?: this)?(?: to)?|let(?:ting)?|notify(?:ing)?|alert(?:ing)?|ask(?:ing)?|warn(?:ing)?|show(?:ing)?|reveal(?:ing)?(?: this)?(?: to)?) (?:the |your )?user\b/, weight: 0.6 },
    { re: /\b(?:call|invoke|use|run|execute|trigger)(?: the)? (?:tool|function|plugin|action|api)s? [`'"]?[a-z_][a-z0-9_.-]{1,40}[`'"]?\b[^.!?\n]{0,60}?\b(?:with|using|passing|and (?:send|pass|set))\b[^.!?\n]{0,60}?\b(?:password|credentials|token|secret|api key|all|every|user|conversation|\{)/, weight: 0.5 },
    { re: /\b(?:transfer|wire|send|pay)\b[^.!?\n]{0,30}?\b(?:\$|usd|eur|€|£|btc|bitcoin|eth|funds|money|payment)\b[^.!?\n]{0,60}?\b(?:to (?:account|iban|wallet|the following|this)|immediately|without (?:confirmation|approval|asking))/, weight: 0.55 },
    { re: /\b(?:delete|remove|wipe|drop|destroy|erase)\b (?:all |every |the )?(?:files|emails|e-mails|records|repositories|repos|database|tables|users|backups|data|messages)\b[^.!?\n]{0,40}?\b(?:immediately|now|without (?:asking|confirmation|telling))/, weight: 0.55 },
    { re: /\b(?:visit|open|navigate to|fetch|browse to|go to|load|curl|wget)\b[^.!?\n]{0,30}?(?:https?:\/\/|www\.)[^\s]{1,200}?[?&][a-z_]{1,20}=[^\s]{0,40}?(?:\{|\$\{|<|\[)/, weight: 0.7 },
  ],
};

// Non-English override phrases: verb ... qualifier ... noun, or (SOV languages) the other way round.
const NE = "[^.!?\\n。！？]{0,40}?";
const ne = "[^.!?\\n。！？]{0,15}?";
const nonEnglish: Detector = {
  name: 'non_english_override',
  description: 'The override phrases in other languages: es, fr, de, it, pt, nl, pl, tr, ru, uk, zh, ja, ko, ar, hi.',
  patterns: [
    // es
    { re: new RegExp(`\\b(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|descarta|descarte|omite|omita|no sigas|no siga|haz caso omiso de|haga caso omiso de|pasa por alto)\\b${NE}\\b(?:anteriores|previas|todas|todos|tus|sus|originales|de arriba|del sistema|precedentes|iniciales|las|los)\\b${ne}\\b(?:instrucciones|reglas|indicaciones|directrices|ordenes|normas|restricciones)\\b`), weight: 0.85 },
    { re: /\b(?:nuevas|nuevas y verdaderas) instrucciones\s?:|\b(?:a partir de ahora|desde ahora),? (?:eres|seras|tu eres|vas a|no tienes)\b/, weight: 0.65 },
    // fr
    { re: new RegExp(`\\b(?:ignore|ignorez|ignorer|oublie|oubliez|oublier|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|ne suis pas|ne suivez pas|outrepasse|outrepassez)\\b${NE}\\b(?:precedentes|anterieures|toutes|tous|tes|vos|ci-dessus|du systeme|initiales|les|des)\\b${ne}\\b(?:instructions|regles|consignes|directives|ordres|restrictions)\\b`), weight: 0.85 },
    { re: /\bnouvelles (?:instructions|consignes)\s?:|\b(?:a partir de maintenant|desormais|dorenavant),? tu (?:es|seras|vas|n'as plus|dois)\b/, weight: 0.65 },
    // de
    { re: new RegExp(`\\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|vergesst|missacht(?:e|en)|beachte nicht|beachten sie nicht|setze(?:n sie)? au(?:ss|ß)er kraft|uberschreibe)\\b${NE}\\b(?:vorherigen|vorigen|bisherigen|alle|allen|deine|ihre|obigen|ursprunglichen|vorangegangenen|fruheren|die|system)\\b${ne}\\b(?:anweisungen|anweisung|regeln|vorgaben|richtlinien|instruktionen|befehle|einschrankungen)\\b`), weight: 0.85 },
    { re: new RegExp(`\\b(?:alle|deine|ihre|die|vorherigen|bisherigen|obigen)\\b${ne}\\b(?:anweisungen|regeln|vorgaben|richtlinien|instruktionen)\\b${ne}\\b(?:ignorieren|vergessen|missachten|ignoriert|vergiss)\\b`), weight: 0.85 },
    { re: /\bneue anweisungen\s?:|\bab (?:jetzt|sofort) (?:bist du|wirst du|musst du|hast du keine)\b/, weight: 0.65 },
    // it
    { re: new RegExp(`\\b(?:ignora|ignorate|ignorare|dimentica|dimenticate|dimenticare|trascura|non seguire|non seguite|scarta)\\b${NE}\\b(?:precedenti|tutte|tutti|le tue|le sue|sopra|originali|di sistema|iniziali|le)\\b${ne}\\b(?:istruzioni|regole|indicazioni|direttive|restrizioni)\\b`), weight: 0.85 },
    { re: /\bnuove istruzioni\s?:|\bda (?:ora|adesso) in poi,? (?:sei|sarai|devi|non hai)\b/, weight: 0.65 },
    // pt
    { re: new RegExp(`\\b(?:ignore|ignora|ignorar|ignorem|esqueca|esquecam|esquece|esquecer|desconsidere|desconsidera|descarte|nao siga|nao sigas)\\b${NE}\\b(?:anteriores|todas|todos|suas|tuas|acima|originais|do sistema|iniciais|previas|as|os)\\b${ne}\\b(?:instrucoes|regras|diretrizes|orientacoes|ordens|restricoes)\\b`), weight: 0.85 },
    { re: /\bnovas instrucoes\s?:|\b(?:a partir de agora|de agora em diante),? (?:voce e|voce sera|tu es|voce nao tem)\b/, weight: 0.65 },
    // nl
    { re: new RegExp(`\\b(?:negeer|negeren|vergeet|vergeten|sla over|volg niet)\\b${NE}\\b(?:vorige|eerdere|alle|je|jouw|uw|bovenstaande|oorspronkelijke|voorgaande|de)\\b${ne}\\b(?:instructies|regels|richtlijnen|opdrachten|aanwijzingen|beperkingen)\\b`), weight: 0.85 },
    { re: /\bnieuwe instructies\s?:|\bvanaf nu (?:ben je|ben jij|moet je|heb je geen)\b/, weight: 0.65 },
    // pl
    { re: new RegExp(`\\b(?:zignoruj|ignoruj|zapomnij|pomin|nie stosuj sie do)\\b${NE}\\b(?:wszystkie|poprzednie|wczesniejsze|swoje|powyzsze|systemowe)\\b${ne}\\b(?:instrukcje|polecenia|zasady|reguly|wytyczne)\\b`), weight: 0.85 },
    // tr
    { re: /\b(?:onceki|tum|butun|yukaridaki)\b[^.!?\n]{0,15}?\b(?:talimatlari|talimatlarini|kurallari|kurallarini|yonergeleri)\b[^.!?\n]{0,15}?\b(?:yok say|gormezden gel|unut|dikkate alma)/, weight: 0.85 },
    // ru / uk
    { re: /(?:игнорируй|игнорируйте|игнорировать|проигнорируй|проигнорируйте|забудь|забудьте|забыть|не обращай внимания на|не обращайте внимания на|отбрось|отбросьте|не следуй|не следуйте|отмени|ігноруй|ігноруйте|забудь)[^.!?\n]{0,40}?(?:предыдущ|прежн|все|всё|свои|системн|вышеуказ|вышеприв|изначальн|попередн|усі)[^.!?\n]{0,20}?(?:инструкци|правил|указани|директив|ограничени|інструкці|вказівк)/, weight: 0.85 },
    { re: /(?:новые инструкции|нові інструкції)\s?:|(?:с этого момента|отныне) ты (?:будешь|теперь|не|должен)/, weight: 0.65 },
    // zh (simplified and traditional)
    { re: /(?:忽略|无视|無視|忽视|忽視|忘记|忘記|忘掉|不要理会|不要理會|不要遵守|不要遵循|不再遵守|抛开|拋開|放弃|放棄|跳过|跳過)[^。！？\n]{0,15}?(?:之前|以前|先前|上面|上述|所有|全部|原来|原來|原先|系统|系統|以上|前面|你的)[^。！？\n]{0,10}?(?:指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制|约束|約束)/, weight: 0.85 },
    { re: /(?:新的指令|新指令|新的指示)\s?[:：]|从现在开始[，,]?你(?:是|将|必须|不再|没有)|從現在開始[，,]?你(?:是|將|必須|不再|沒有)/, weight: 0.65 },
    // ja
    { re: /(?:以前|前|これまで|すべて|全て|上記|元|システム|先程|今まで|上)の?[^。！？\n]{0,10}?(?:指示|命令|ルール|規則|指令|プロンプト|設定|制約|制限)[^。！？\n]{0,6}?(?:を|は)?[^。！？\n]{0,4}?(?:無視|忘れ|破棄|従わな)/, weight: 0.85 },
    { re: /(?:新しい指示|新たな指示)\s?[:：]|今から(?:あなたは|君は)[^。\n]{0,20}?(?:制限|ルール)/, weight: 0.65 },
    // ko
    { re: /(?:이전|모든|위의|기존|시스템|앞의|지금까지의|앞선)[^.!?\n]{0,10}?(?:지시|지침|명령|규칙|설정|프롬프트|제한|지시사항)[^.!?\n]{0,10}?(?:무시|잊어|잊으|따르지)/, weight: 0.85 },
    { re: /새로운 지시\s?:|지금부터 (?:너는|당신은)[^.\n]{0,20}?(?:제한|규칙)/, weight: 0.65 },
    // ar
    { re: /(?:تجاهل|انس|إنس)[^.!?\n]{0,30}?(?:التعليمات|الأوامر|القواعد|التوجيهات)/, weight: 0.85 },
    // hi
    { re: /(?:पिछले|सभी|पहले के|ऊपर के)[^।\n]{0,20}?(?:निर्देशों|निर्देश|नियमों|नियम)[^।\n]{0,20}?(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)/, weight: 0.85 },
  ],
};

export const DETECTORS: readonly Detector[] = [override, jailbreak, extraction, delimiter, exfil, hijack, nonEnglish];

export const DETECTOR_DESCRIPTIONS: Record<DetectorName, string> = {
  ...(Object.fromEntries(DETECTORS.map((d) => [d.name, d.description])) as Record<(typeof PATTERN_DETECTORS)[number], string>),
  hidden_characters: 'Invisible characters: Unicode tag characters (a smuggling channel; their decoded text is scanned too), bidi controls, zero-width characters inside words.',
  obfuscation: 'A detector fired only in a decoded (base64, hex, tag characters), confusable-folded or leetspeak-folded view of the text, or the text mixes look-alike scripts inside words.',
};
