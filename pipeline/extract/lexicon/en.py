"""English cue words. Every value is a regex fragment (compiled case-insensitively)."""

LEX = {
    "ours_party": ("Ukraine",),  # "our defenders / heroes": how Ukrainian officials speak of their soldiers
    "ours": r"\s*(?:of\s+)?(?:our\s+)?(?:(?:brave|captured)\s+)?(?:defenders|heroes|warriors)\b",
    "exchange": r"\b(?:swap(?:s|ped|ping)?|exchang(?:e|es|ed|ing)|prisoner[- ]trades?|traded|trade of prisoners)\b",
    "idiom": r"\bin (?:exchange|return)\b",
    "captive": r"\b(?:pows?|prisoners?(?: of war)?|captiv(?:es?|ity)|custody|detainees?|hostages?|inmates|held by)\b",
    "soldier": (r"\b(?:soldiers|servicem[ae]n|service members|defenders|troops|military personnel|marines"
                r"|guardsmen|fighters|civilians|citizens)\b"),
    "release": (r"\b(?:return(?:ed|ing|s)?|freed|free|released?|releasing|handed (?:over|back|to)|hand(?:ing|s)? over"
                r"|came home|come home|coming home|brought (?:back|home)|bring(?:ing)? (?:back|home)|got back"
                r"|repatriat\w+|transferred|went home|back home|homecoming|home|brought|bring|returnees)\b"),
    "body": (r"\b(?:bod(?:y|ies)|remains|war dead|(?:its|their|our) (?:own )?dead|(?:fallen|dead|killed)(?: \w+)? (?:soldiers|servicemen|"
             r"troops|defenders|fighters)|corpses)\b"),
    "conducted": (r"\b(?:exchanged|swapped|traded|carried out|conducted|took place|has taken place|have taken place"
                  r"|happened|completed|returned|handed (?:over|back)|received|receiving|released|freed|brought|obtained"
                  r"|came home|come home|got back|repatriated|transferred|went home|returning"
                  r"|took part|handed|been (?:returned|freed|released|exchanged)|secured|has returned|walked free|went free"
                  r"|set free|went the other way|were swapped|are home|were back|arrived|getting|sent the other way)\b"),
    "agreed": (r"\b(?:(?<!to be )(?<!yet to be )agreed|agree|(?:agreement|understanding|deal) (?:was |had been |has been )?reached|agreements? (?:on|to|for|reached|was reached)|(?:reached|struck|sealed|signed) "
               r"(?:a|an|the) (?:deal|agreement|understanding)|deal to (?:exchange|swap)|consented"
               r"|accept(?:ed|s)? (?:a |an |the )?(?:[\w-]+ ){0,3}(?:proposal|offer|plan))\b"),
    "agreed_verb": r"\b(?:(?<!to be )agreed|accepted|(?:reached|struck|sealed|signed) (?:a|an|the) (?:deal|agreement|understanding))\b",
    "planned": (r"\b(?:will|would|shall|plans?|planned|planning|to be (?:held|carried out|conducted|exchanged)"
                r"|expected|ready to|readiness|propos(?:ed|es|al|ing)|offer(?:ed|s)?|demand(?:ed|s)?|call(?:ed|s)? for"
                r"|intends?|intention|prepar(?:e|es|ed|ing)|upcoming|next|soon|is set to|are set to|set to"
                r"|interested in|as soon as possible|scheduled|could)\b"),
    "negation": (r"\b(?:no (?:swap|exchange)|not (?:yet )?(?:take|taken|took) place|stalled|postponed|cancel+ed"
                 r"|called off|collapsed|broke down|refused|rejected|blocked|delay(?:ed|ing)|disrupt(?:ed|ing)"
                 r"|failed to|did not happen|has not happened|no progress|not ready|accused|rally|rallied|protest\w*"
                 r"|demonstrat\w*|vigil|did not (?:release|free|return|hand over)|pardon\w*|discuss\w*|no date has been (?:agreed|set)"
                 r"|(?:has|have|had) not (?:been )?agreed|did not agree|no agreement)\b"),
    "not_people": (r"^\s*(?:(?:some|the|of|heavy|heaviest|new|fresh|more|their|its|mutual)\s+){0,4}(?:\w+\s+)?"
                   r"(?:attacks?|strikes?|fire|blows|accusations|threats|letters|messages|views|information|data"
                   r"|documents|notes|drones?|missiles?|shelling|barbs|words|greetings|proposals|ideas|visits"
                   r"|salvos|artillery|insults|gunfire|rates?|currency|student|students|program(?:me)?s?|views|pleasantries"
                   r"|glances|experiences?|know-how|vows|rings|gifts|fire)\b"),
    "not_people_before": (r"\b(?:student|cultural|academic|currency|data|information|knowledge|youth|scientific"
                          r"|foreign|stock|heated|diplomatic notes?|fire|gunfire|artillery|crypto)\s+$"),
    "additive": (r"\b(?:also|in addition|additionally|as part of the same|on top of|as well as|plus"
                 r"|in the same (?:exchange|swap|handover|operation))\b"),
    "denial": r"\b(?:not (?:an?|part of an?|part of any) (?:prisoner )?(?:exchange|swap)|after serving (?:their|his|her) (?:full )?(?:sentences?|terms?)|(?:no one|nobody|no prisoners?) (?:was |were )?(?:released|freed|handed over|given)|nothing in return|without (?:an? )?(?:exchange|swap)|not (?:released|freed|handed over) anyone in return|no (?:exchange|swap) (?:had|has|was) been (?:negotiated|agreed)|unilateral(?:ly)? (?:release|step|gesture|pardon|move|decision|act|released|freed))\b",
    "recall": r"\b(?:previous|prior|earlier (?:swap|exchange|repatriation|handover))\b",
    "cumulative": (r"\b(?:since (?:the start|the beginning|february|2014|2022|the full-scale)|in total since|so far"
                   r"|to date|altogether since|over the course of the war|since the war began|across all|all told"
                   r"|across (?:all )?the (?:handovers|exchanges|swaps|repatriations)|in all\b|overall"
                   r"|for (?:each|every) (?:\w+ ){0,2}?(?:body|hostage|prisoner|captive|soldier|one|person)(?! each)"
                   r"|(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d\d?|dozens? of|a dozen|several|many"
                   r"|numerous) (?:\w+ )?(?:exchanges|swaps|handovers|repatriations)"
                   r"|by the end of (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|the year)\w*"
                   r"|since (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*)\b"),
    "each": r"\b(?:each|apiece|per side|on each side|from each side|on both sides|from both sides|both sides)\b",
    "each_strict": r"\b(?:each|apiece|per side|on each side|from each side)\b",
    "approx": r"\b(?:about|around|approximately|roughly|nearly|almost|some|an estimated|up to|close to)\s+$",
    "at_least": r"\b(?:more than|(?<!handed )(?<!hands )(?<!handing )(?<!hand )(?<!turned )(?<!passed )over|at least|upwards of|in excess of|no fewer than|no less than)\s+$",
    "receive": (r"\b(?:received?|got|gets|getting|obtained|won back|regained|repatriated|secured the (?:freedom|release|return) of|came home|come home|coming home|are home|returned home|back home|receiving|got back|get back|getting back|brought (?:back|home)|bring(?:ing)? "
                r"(?:back|home)|brings (?:back|home)|welcomed|took back|retrieved|secured the return)\b"),
    "give": (r"\b(?:handed (?:over|back)|hand(?:s|ing)? over|returned|returning|returns|return|released|freed|"
             r"transferred|transfer|gave|give|release|free)\b"),
    "to": r"(?<!according )(?<!thanks )(?<!due )(?<!owing )\b(?:to|into)\s+(?:the\s+)?$",
    "reciprocal": r"\b(?:in return|in turn|in exchange)\b",
    "from_": r"\b(?:from|by)\s+(?:the\s+)?$",
    "held_in": r"^\s*(?:captivity|custody|prisons?|jails?|detention|captors|forces)\b",
    "speech": (r"\b(?:said|says|stated|statement|announced|told|confirmed|reported|wrote|posted|according|"
               r"briefing|address)\b[^.;]{0,25}$"),
    "talks": r"\b(?:talks|negotiations|meeting|summit|agreed|agreement|deal|understanding|reached)\b[^.;,]{0,25}$",
    "people": (r"^(?:\s+(?:[^\W\d_][\w'’-]*|of war|of its|of their)){0,3}?\s+(?:pows?|prisoners?|captives?|soldiers?|servicem[ae]n|service members?|troops"
               r"|civilians?|people|persons|individuals|men|women|bodies|body|remains|defenders?|fighters?"
               r"|ukrainians|russians|detainees?|hostages?|inmates|citizens|military personnel|personnel"
               r"|nationals|servicewomen|marines|guardsmen|sailors|children|fallen|dead|wounded|captured|residents?"
               r"|pilots|medics|journalists|volunteers|officers|conscripts|mercenaries|americans?|citizens?)\b"),
    "zero": (r"\b(?:received (?:none|nothing|no \w+)|(?:has|have|had|did) not (?:received?|got|gotten|get)"
             r" any|none of its own|received none|got nothing)\b"),
    "of_own": r"^\s*(?:of (?:its|their) own|of its|of their)\b",
    "months": {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
               "oct": 10, "nov": 11, "dec": 12},
    "month_re": (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
                 r"|sep(?:t(?:ember)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"),
    "weekdays": {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
                 "sunday": 6},
    "days_ago": r"\b(?:(\w+) days? (?:ago|earlier|before that)|a (week) (?:ago|earlier|before that)|(a) day earlier)\b",
    "yesterday": r"\b(?:yesterday|last night)\b",
    "today": r"\b(?:today|this morning|this afternoon|tonight|overnight)\b",
    "day_before": r"\bthe (?:day before|previous day)\b",
    "day_after": r"\bthe (?:next|following) day\b",
    "this_week": r"\b(?:earlier this week|this week)\b",
    "last_week": r"\blast week\b",
    "this_month": r"\b(?:earlier this month|this month)\b",
    "last_month": r"\blast month\b",
    "future": r"\b(?:next|coming|upcoming)\s+$",
    "subset_lead": r"\b(?:among(?: the)?|of the)\s+$",
    "subset": r"\b(?:including|included|includes|among them|of them|of whom|among whom|among those)\b",
    "other_way": r"^[^.;]{0,30}?\b(?:the other way|in the opposite direction|in return|back)\b",
    "one_for_one": (r"(?-i:\b(?:freed|released|exchanged|swapped|traded)\s+(?:[\w'’-]+\s+){0,6}?[A-Z][a-z]+\s+[A-Z][a-z]+"
                    r"[^.;]{0,80}?\bin (?:exchange|a swap) for\s+(?:[\w'’-]+\s+){0,5}?[A-Z][a-z]+\s+[A-Z][a-z]+"
                    r"|\b[A-Z][a-z]+\s+[A-Z][a-z]+\s+(?:was|had been|has been)\s+(?:exchanged|swapped|traded)\s+for\s+"
                    r"(?:[\w'’-]+\s+){0,5}?[A-Z][a-z]+\s+[A-Z][a-z]+)"),  # "Brittney Griner was exchanged for ... Viktor Bout"
    "equal": r"\b(?:an? equal number|the same number|same number)\b",
    "of_party": r"\bof\s+(?:the\s+)?(?:armed forces of\s+)?$",
    "numbers": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
                "thirteen": 13, "fourteen": 14, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
                "hundred": 100, "a hundred": 100, "dozen": 12, "a dozen": 12, "thousand": 1000,
                "a thousand": 1000},
    "multipliers": {"hundred": 100, "thousand": 1000},
    "for_n": r"^\s*(?:for|-for-|-to-|in exchange for)\s*$",
    "mediation": (r"\b(?:mediat\w+|brokered|broker|facilitat\w+|help(?:ed|s|ing)?|thanks to|thank(?:ed|s)?|arrang\w+"
                  r"|credited|assistance|good offices|intermediar\w+|organi[sz]\w+|grateful|role)\b"),
    "categories": {
        "civilians": r"\bcivilians?\b",
        "wounded": r"\b(?:wounded|injured|seriously ill|gravely ill|severely ill|seriously injured|sick)\b",
        "under_25": r"\b(?:under(?: the age of)?[ -]25|aged? (?:18|19|20|21|22|23|24)-24|younger than 25)\b",
        "children": r"\b(?:children|minors|teenagers)\b",
        "foreign_fighters": r"\b(?:foreign (?:fighters|nationals|mercenaries)|mercenaries|foreigners)\b",
    },
}
