"""German, French, Spanish and Portuguese cue words (regexes compiled case-insensitively)."""

from . import numwords


def _pt_weekday(day: str) -> str:
    """"sexta-feira", or a bare "sexta" after "nesta/na/última ..." (alone it is also an ordinal)."""
    after = "|".join(f"(?<={p} {day})" for p in ("nesta", "neste", "na", "esta", "última", "próxima"))
    return f"{day}-feira|{day}(?:{after})(?!-)"


_CATS_DE = {
    "civilians": r"\b(?:zivilist\w*|zivilpersonen)\b",
    "wounded": r"\b(?:verwundet\w*|verletzt\w*|schwerkrank\w*)\b",
    "under_25": r"\b(?:unter 25|jünger als 25)\b",
    "children": r"\b(?:kinder\w*|minderjährig\w*)\b",
    "foreign_fighters": r"\b(?:ausländisch\w* kämpfer|söldner\w*)\b",
}

DE = {
    "not_people_before": r"(?:meinungs|informations|daten|schüler|studenten|kultur|erfahrungs|gedanken|waren|handels|wissens|jugend)$",
    "same_day": r"\bam (?:selben|gleichen) tag\b",
    "cue_reach": 170,  # "Auf diesen Austausch hatten sich ... (a long middle field) ... geeinigt"
    "list_of": r"\bliste\w*\s+(?:mit\s+|von\s+)?$",
    "two_days_ago": r"\bvorgestern\b",
    "final_give": r"^[^.;,]{0,80}?\b(?:übergeben|freigelassen|überstellt|zurückgegeben|ausgeliefert)\b",
    "final_receive": r"^[^.;,]{0,80}?\b(?:erhalten|zurückerhalten|zurückgeholt|heimgeholt|bekommen)\b",
    "proposal": (r"\b(?:schlug\w*(?=[^.;]{0,80}\bvor\b)|schlägt(?=[^.;]{0,80}\bvor\b)|vorgeschlagen|angeboten"
                 r"|bereitet\w*|plant|kündigte\w*(?=[^.;]{0,80}\ban\b)|angekündigt)\b"),
    "days_ago": r"\b(?:(\w+) tage? (?:zuvor|davor|vorher|früher)|vor (\w+) tagen)\b",
    "denial": (r"\b(?:kein austausch|nicht um einen austausch|kein gefangenenaustausch|im gegenzug niemand|einseitig\w*"
               r"|im gegenzug (?:wurden |wurde )?keine\w*|ohne gegenleistung|ohne (?:einen )?austausch)\b"),
    "additive": r"\b(?:zusätzlich|außerdem|auch)\b",
    "exchange": r"(?:austausch\w*|\bausgetauscht|\bgetauscht|\btausch\w*)",  # also inside compounds
    "idiom": r"\bim austausch (?:gegen|für)\b",
    "captive": r"(?:gefangen(?<!angefangen)\w*|\bhäftling\w*|\bgeisel\w*)",  # "Kriegsgefangene", not "angefangen"
    "soldier": r"\b(?:soldaten|militärangehörige\w*|verteidiger|kämpfer|menschen|personen|zivilist\w*|staatsbürger\w*|ukrainer|russen"
               r"|amerikaner|iraner)\b",
    "release": (r"\b(?:zurückgekehrt|zurückgebracht|zurückgeholt|freigelassen|freigekommen|übergeben|übergab\w*|heimgekehrt"
                r"|heimgeholt|rückkehr|zurück|frei|nach hause|in die heimat|überstellt\w*)\b"),
    "body": r"\b(?:leiche\w*|leichname?|gebeine|gefallen\w*|tote[rn]?|überreste|sterbliche)\b",
    "conducted": (r"\b(?:ausgetauscht|getauscht|fand statt|stattgefunden|zurückgekehrt|übergeben(?<!zu übergeben)|übergab|erhielt"
                  r"|erhalten|freigelassen|freigekommen|kehrten|kehrte|brachte|durchgeführt|vollzogen|tauschten|haben"
                  r"|begonnen|zurückgeholt|heimgeholt|holte|holten|holt|kamen frei|überstellt\w*|gelandet|landeten"
                  r"|eingetroffen|trafen)\b"),
    "agreed": (r"\b(?:vereinbart\w*|vereinbaren|einigten|einigen sich|geeinigt|verständigt\w*|verabredet\w*|zugesagt|verpflichtet\w*"
               r"|übereingekommen|vereinbarung (?:über|zum|zur))\b"),
    "agreed_verb": r"\b(?:vereinbart\w*|vereinbaren|einigten|einigen sich|geeinigt|verständigt\w*|übereingekommen)\b",
    "planned": (r"\b(?:wird|werden|soll|sollen|plan\w*|bereit|vorgeschlagen|vorschlag|forder\w*|geplant"
                r"|erwartet|nächste\w*|bald|demnächst|könnte|angeboten|anbieten|bietet|boten?|schlägt|schlug"
                r"|beabsichtig\w*|vorbereit\w*|kündigte|angekündigt|will|wollen)\b"),
    "negation": (r"\b(?:kein austausch|verschoben|abgesagt|blockiert|abgelehnt|gescheitert|verzögert|begnadig\w*"
                 r"|folter\w*|misshandl\w*|deportiert\w*|verschlepp\w*|protest\w*|kundgebung\w*|demonstr\w*"
                 r"|vorgeworfen|beschuldig\w*|besprochen|erörtert|diskutiert\w*|ins stocken|stockt\w*|befragt\w*|interviewt\w*"
                 r"|entführt\w*|wiedervereint|familienzusammenführung)\b"),
    "reciprocal": r"\b(?:im gegenzug|im austausch|seinerseits|ihrerseits)\b",
    "subset_lead": r"\b(?:unter (?:den|ihnen)|von (?:den|ihnen))\s+$",
    "subset": r"\b(?:darunter|davon|unter ihnen|einschließlich|unter den \w+ (?:waren|sind|befinden))\b",
    "other_way": r"^[^.;]{0,30}?\b(?:im gegenzug|umgekehrt|in die andere richtung)\b",
    "equal": r"\b(?:ebenso viele|genauso viele|gleich viele|die gleiche (?:zahl|anzahl))\b",
    "recall": r"\b(?:vorherig\w*|früher\w*|letzte\w* austausch)\b",
    "cumulative": (r"\b(?:seit beginn|seit kriegsbeginn|seit dem beginn|seit 2014|seit 2022|bisher insgesamt"
                   r"|insgesamt seit|bislang insgesamt)\b"),
    "each": r"\b(?:jeweils|je|pro seite|auf beiden seiten|beide seiten|auf jeder seite|von jeder seite)\b",
    "each_strict": r"\b(?:jeweils|je|pro seite|auf jeder seite|von jeder seite)\b",
    "each_prefix": r"\b(?:je|jeweils)\s+$",
    "approx": r"\b(?:etwa|rund|ungefähr|circa|ca\.|fast|knapp|annähernd)\s+$",
    "at_least": r"\b(?:mehr als|über|mindestens|weit über|insgesamt mehr als)\s+$",
    "receive": (r"\b(?:erhielt\w*|erhalten|zurückerhalten|holte\w*|holt|bekam\w*|zurückgeholt|heimgeholt"
                r"|nach hause|in die heimat|kehrten|kehrte)\b"),
    "give": r"\b(?:übergab\w*|übergeben|übergibt|freigelassen|überstellt\w*|ließ\w*|gab\w*|ausgeliefert)\b",
    "to": r"\b(?:an(?:\s+(?:die|den))?|der|nach|in\s+die|in\s+den|zurück\s+in\s+die)\s*$",
    "from_": r"\b(?:aus|von)\s+(?:der|dem)?\s*$",
    "held_in": r"^\s*(?:\w*gefangenschaft|haft)\b",
    "speech": r"\b(?:sagte|teilte|erklärte|mitteilung|berichtete|bestätigte|laut|zufolge)\b[^.;]{0,25}$",
    "talks": r"\b(?:gesprächen|verhandlungen|treffen|vereinbar\w*)\b[^.;,]{0,25}$",
    "people": (r"^(?!\s+(?:seiten|länder|staaten|parteien|delegationen|mal|runden|tage|wochen|monate|jahre)\b)"
               r"[\s\w'-]{0,40}?\b(?:\w*gefangene\w*|soldaten|militärangehörige\w*|zivilist\w*|menschen|personen"
               r"|leichen|leichname?|gefallene\w*|ukrainer\w*|russen|kämpfer|verteidiger|geiseln|häftlinge|tote"
               r"|männer|frauen|bürger\w*|staatsbürger\w*|bewohner\w*|einwohner\w*|verwundete\w*|kinder"
               r"|zivilpersonen|angehörige\w*|amerikaner\w*|deutsche\w*|journalist\w*)\b"),
    "zero": r"\b(?:keine (?:leichen|toten) erhalten|keine einzige\w*|keinen einzigen)\b",
    "of_own": r"^\s*(?:eigene\w*)\b",
    "months": {"jan": 1, "feb": 2, "mär": 3, "mar": 3, "apr": 4, "mai": 5, "jun": 6, "jul": 7, "aug": 8,
               "sep": 9, "okt": 10, "nov": 11, "dez": 12},
    "month_re": (r"(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)"),
    "weekdays": {"montag\\w*": 0, "dienstag\\w*": 1, "mittwoch\\w*": 2, "donnerstag\\w*": 3, "freitag\\w*": 4,
                 "samstag\\w*|sonnabend\\w*": 5, "sonntag\\w*": 6},
    "yesterday": r"\b(?:gestern\w*|vorige nacht)\b", "today": r"\b(?:heute\w*)\b",
    "day_before": r"\bam vortag\b",
    "day_after": r"\bam (?:nächsten|folgenden) tag\b",
    "this_week": r"\b(?:diese woche|anfang der woche|in dieser woche|zu beginn der woche)\b",
    "last_week": r"\b(?:letzte woche|vergangene woche|in der vergangenen woche|vorige woche|vergangener woche)\b",
    "this_month": r"\b(?:diesen monat|anfang des monats|in diesem monat)\b",
    "last_month": r"\b(?:letzten monat|vergangenen monat|im vergangenen monat|vorigen monat)\b",
    "future": r"\b(?:nächste\w*|kommende\w*)\s+$",
    "numbers": numwords.DE,
    "multipliers": numwords.MULT_DE,
    "for_n": r"^\s*(?:[^\W\d]+\s+){0,2}?(?:gegen|für|zu)\s*$",
    "mediation": (r"\b(?:vermittel\w*|vermittl\w*|vermittelt\w*|mithilfe|dank|unterstützung|ausgerichtet|gastgeber\w*"
                  r"|unter (?:der )?vermittlung)\b"),
    "categories": _CATS_DE,
}

FR = {
    "not_people": (r"^\s*(?:de\s+|d['’])(?:vues|informations?|tirs|coups|expériences?|données|amabilités|propos|lettres"
                   r"|courriers|messages|idées|points de vue|feu|étudiants|devises)"),
    "same_day": r"\ble même jour\b",
    "list_of": r"\blistes?\s+(?:de\s+)?$",
    "two_days_ago": r"\bavant-hier\b",
    "one_for_one": r"(?-i:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+[^.;]{0,80}?\ben échange d(?:e|u|es)\s+(?:[\w\'’-]+\s+){0,5}?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+)",
    "proposal": r"\b(?:a proposé|propose|prépare|envisage|a offert|offre)\b",
    "each_prefix": r"\bde part et d'autre\s+$",
    "equal": r"\b(?:autant de|le même nombre|un nombre égal)\b",
    "other_way": r"^[^.;]{0,30}?\b(?:en contrepartie|en retour|dans l'autre sens)\b",
    "subset": r"\b(?:dont|parmi eux|parmi elles|parmi lesquels|y compris|notamment)\b",
    "subset_lead": r"\bparmi(?: les| eux| elles)?\s+$",
    "reciprocal": r"\b(?:en contrepartie|en retour|en échange)\b",
    "days_ago": r"\b(?:il y a (\w+) jours?|(\w+) jours? (?:plus tôt|auparavant|avant))\b",
    "denial": r"(?:sans échange|hors de tout échange|pas dans un échange|pas un échange|pas d'échange|sans contrepartie|(?:libération|geste|décision) unilatérale)",
    "additive": r"\b(?:en outre|également|aussi|de plus)\b",
    "exchange": r"\b(?:échang\w*|echang\w*|troc)\b",
    "idiom": r"\ben échange de\b",
    "captive": r"\b(?:prisonniers?|captifs?|captivité|détenus?|otages?)\b",
    "soldier": r"\b(?:soldats|militaires|défenseurs|combattants|personnes|civils|ressortissants|citoyens|ukrainiens"
               r"|russes|américains|iraniens)\b",
    "release": (r"\b(?:rapatri\w*|libér\w*|libère\w*|rendu\w*|remis\w*|retour\w*|rentr\w*|retrouvé\w*|revenu\w*|relâch\w*"
                r"|ramené\w*|restitué\w*|transféré\w*|chez eux)\b"),
    "body": r"\b(?:corps|dépouilles|restes|soldats tués|morts)\b",
    "conducted": (r"\b(?:échangé\w*|ont échangé|a eu lieu|ont eu lieu|rapatrié\w*|libéré\w*|remis|rendu\w*|reçu"
                  r"|récupér\w*|rentr\w*|effectué|procédé|ramené\w*|retrouvé\w*|revenus|relâché\w*|restitué\w*"
                  r"|de retour|transféré\w*|avec la remise de|atterri|arrivés)\b"),
    "agreed": r"\b(?:accord(?!\w* de paix)\w*|convenu\w*|entendu\w*|mis\w* d'accord|conclu\w*|s'est engagée?|se sont engagés)\b",
    "agreed_verb": r"\b(?:convenu\w*|se sont entendu\w*|mis\w* d'accord|sont tombés d'accord)\b",
    "planned": (r"\b(?:va|vont|devrait|devraient|prévu\w*|prévoi\w*|prêt\w*|propos\w*|demand\w*|prochain\w*|bientôt"
                r"|pourrait|aura lieu|auront lieu|envisag\w*|s'apprête\w*|offert|offre|prépar\w*|compte|entend"
                r"|souhait\w*|veut|veulent)\b"),
    "negation": (r"\b(?:pas d'échange|reporté\w*|annulé\w*|bloqué\w*|rejeté\w*|refusé\w*|échoué|grâci\w*|tortur\w*"
                 r"|mauvais traitements|déporté\w*|manifest\w*|rassemblement\w*|accusent|accuse|a accusé|ont accusé|accusations?|discuté\w*|évoqué\w*"
                 r"|interrogé\w*|réclam\w*|au point mort|suspendu\w*|emmenés|enlevés|retrouvé leur famille"
                 r"|réunis avec)\b"),
    "recall": r"\b(?:précédent\w*|antérieur\w*)\b",
    "cumulative": r"\b(?:depuis le début|depuis 2022|au total depuis|jusqu'à présent)\b",
    "each": r"\b(?:chacun\w*|de chaque côté|par camp|de part et d'autre|chaque camp)\b",
    "each_strict": r"\b(?:chacun\w*|de chaque côté|par camp|chaque camp|de part et d'autre)\b",
    "approx": r"\b(?:environ|près de|quelque|approximativement|autour de|presque)\s+$",
    "at_least": r"\b(?:plus de|au moins|plus d'|au-delà de|pas moins de)\s+$",
    "receive": (r"\b(?:reçu|récupér\w*|ramené\w*|a obtenu|obtenu|rentr\w*|retrouvé\w*|de retour|chez eux"
                r"|accueilli\w*)\b"),
    "give": r"\b(?:remettre|restituer|livrer|libérer|remis\w*|rendu\w*|libéré\w*|transféré\w*|relâché\w*|restitué\w*|remet\w*|livré\w*|libère\w*)\b",
    "to": r"(?:\bà\s+(?:la\s+|l['’])?|\bau\s+|\bpour\s+(?:la\s+|l['’])?|\bvers\s+(?:la\s+|l['’])?)$",
    "from_": r"\bpar\s+(?:la\s+)?$",
    "held_in": r"^\s*(?:captivité|détention)\b",
    "held_before": r"\b(?:captivité|détention|prisons?|geôles)\s+$",
    "speech": (r"\b(?:a déclaré|a annoncé|ont annoncé|a indiqué|a affirmé|selon|communiqué|a confirmé|a écrit|a précisé"
               r"|a fait savoir|s'est félicité)\b[^.;]{0,25}$"),
    "talks": r"\b(?:pourparlers|négociations|réunion|accord)\b[^.;,]{0,25}$",
    "people": (r"^(?!\s+(?:pays|parties|camps|côtés|fois|jours|semaines|mois|ans|délégations)\b)"
               r"[\s\w'’-]{0,40}?\b(?:prisonniers?|soldats|militaires|civils|personnes|corps|dépouilles"
               r"|ukrainiens|russes|captifs|détenus|otages|combattants|hommes|femmes|défenseurs|ressortissants"
               r"|citoyens|gardes-frontières|marins|blessés|américains|iraniens|membres|militaires|enfants)\b"),
    "zero": r"\b(?:aucun corps|n'a reçu aucun)\b",
    "of_own": r"^\s*(?:des siens|de ses)\b",
    "months": {"jan": 1, "fév": 2, "fev": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "aoû": 8,
               "aou": 8, "sep": 9, "oct": 10, "nov": 11, "déc": 12, "dec": 12},
    "month_re": (r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre"
                 r"|décembre|decembre)"),
    "weekdays": {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6},
    "yesterday": r"\bhier\b(?<!avant-hier)|\bau lendemain d(?:e|u|['’])", "today": r"\baujourd'hui\b", "day_before": r"\bla veille\b",
    "day_after": r"\ble lendemain\b",
    "this_week": r"\bcette semaine\b", "last_week": r"\bla semaine dernière\b",
    "this_month": r"\bce mois-ci\b", "last_month": r"\ble mois dernier\b",
    "future": r"\b(?:prochain\w*)\s+$",
    "numbers": numwords.FR,
    "multipliers": numwords.MULT_FR,
    "for_n": r"^\s*(?:[^\W\d]+\s+){0,2}?(?:contre|pour)\s*$",
    "mediation": r"\b(?:médiat\w*|grâce à|sous l'égide|avec l'aide|facilit\w*|intermédiaire\w*|sous les auspices)\b",
    "categories": {
        "civilians": r"\bcivils?\b", "wounded": r"\b(?:blessés?|gravement malades)\b",
        "under_25": r"\bmoins de 25 ans\b", "children": r"\benfants\b",
        "foreign_fighters": r"\b(?:combattants étrangers|mercenaires)\b",
    },
}

ES = {
    "not_people": (r"^\s*(?:de\s+)(?:opiniones|información|informaciones|disparos|fuego|experiencias|datos|golpes"
                   r"|mensajes|ideas|acusaciones|estudiantes|divisas)"),
    "same_day": r"\bel mismo día\b",
    "list_of": r"\blistas?\s+(?:de\s+|con\s+)?$",
    "two_days_ago": r"\banteayer\b",
    "one_for_one": r"(?-i:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+[^.;]{0,80}?\ba cambio del?\s+(?:[\w\'’-]+\s+){0,5}?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+)",
    "proposal": r"\b(?:propuso|propone|planteó|plantea|prepara|ofreció|ofrece)\b",
    "equal": r"\b(?:el mismo número|la misma cantidad|otros tantos)\b",
    "other_way": r"^[^.;]{0,30}?\b(?:a cambio|en contrapartida|en sentido contrario)\b",
    "subset": r"\b(?:entre ellos|entre ellas|incluidos|incluidas|incluyendo|de ellos|de los cuales|entre los que)\b",
    "subset_lead": r"\bentre (?:los|las|ellos|ellas)\s+$",
    "reciprocal": r"\b(?:a cambio|a su vez|en contrapartida)\b",
    "days_ago": r"\b(?:hace (\w+) días?|(\w+) días? (?:antes|atrás))\b",
    "denial": r"(?:sin (?:canje|intercambio)|no (?:es|fue) un (?:intercambio|canje)|nada a cambio|sin contrapartida|(?:liberación|gesto) unilateral)",
    "additive": r"\b(?:además|también|adicionalmente)\b",
    "exchange": r"\b(?:intercambi\w*|canje\w*|canjear\w*|canjearon)\b",
    "idiom": r"\ba cambio de\b",
    "captive": r"\b(?:prisioneros?|cautiv\w*|detenidos?|rehenes)\b",
    "soldier": r"\b(?:soldados|militares|combatientes|personas|civiles|ciudadanos|ucranianos|rusos"
               r"|estadounidenses|iraníes)\b",
    "release": (r"\b(?:repatri\w*|liber[aó]\w*|devuelt\w*|devolv\w*|entreg\w*|regres\w*|volvi\w*|excarcel\w*|retorn\w*"
                r"|canjead\w*|a casa)\b"),
    "body": r"\b(?:fallecidos|cuerpos?|restos|cadáveres|soldados caídos|caídos|muertos)\b",
    "conducted": (r"\b(?:intercambiaron|canjearon|se llevó a cabo|tuvo lugar|repatriad\w*|liberad\w*|entreg\w+ron"
                  r"|recibió|recibieron|devolvió|devolvieron|regresaron|realizaron|realizó|liberó|liberaron"
                  r"|excarcel\w*|entregó|complet\w*|canjeado|intercambiado|volvieron|canjearan|intercambiaran|liberara|liberaran|entregara|entregaran|devolviera|devolvieran|con la entrega de|aterrizaron|aterrizó"
                  r"|llegaron)\b"),
    "agreed": r"\b(?:acordaron|acordad[oa]s?|acuerdo(?<!de acuerdo)\b|pactad\w*|pactaron|convinieron|se comprometió)",
    "agreed_verb": r"\b(?:acordaron|pactaron|acordado|convinieron|llegaron a un acuerdo|alcanzaron un acuerdo)\b",
    "planned": (r"\b(?:va a|van a|prevé|previsto|planea\w*|dispuest\w*|propu\w*|propon\w*|exig\w*|próxim\w*"
                r"|pronto|podría|se realizará|tendrá lugar|plante\w*|ofrec\w*|ofreció|preparad\w*|pretende\w*"
                r"|quiere|quieren)\b"),
    "negation": (r"\b(?:no hubo intercambio|aplazad\w*|cancelad\w*|bloquead\w*|rechaz\w*|fracas\w*|indult\w*"
                 r"|tortur\w*|malos tratos|deportad\w*|manifestaci\w*|protest\w*|acusó|acusa|acusan|acusaron|acusaciones|discut\w*|entrevist\w*"
                 r"|estancad\w*|paralizad\w*|sustraíd\w*|reunid\w* con sus familias|reencontr\w*)\b"),
    "recall": r"\b(?:anterior|previo)\b",
    "cumulative": r"\b(?:desde el inicio|desde el comienzo|desde 2022|en total desde|hasta ahora)\b",
    "each": r"\b(?:cada uno|cada una|cada lado|por bando|por cada parte|ambos lados|cada parte)\b",
    "each_strict": r"\b(?:cada uno|cada una|cada lado|por bando|por cada parte|cada parte)\b",
    "approx": r"\b(?:unos|unas|alrededor de|aproximadamente|cerca de|casi|en torno a)\s+$",
    "at_least": r"\b(?:más de|al menos|por lo menos|no menos de)\s+$",
    "receive": r"\b(?:recib\w*|recuper\w*|regresaron|volvieron|a casa)\b",
    "give": r"\b(?:entreg\w*|devolv\w*|devolvió|devuelt\w*|liber[óa]\w*|excarcel\w*|cedi\w*|transfiri\w*)\b",
    "to": r"(?:\ba\s+(?:la\s+)?|\bal\s+|\bhacia\s+(?:la\s+)?|\bpara\s+(?:la\s+)?)$",
    "from_": r"\bpor\s+(?:la\s+)?$",
    "held_in": r"^\s*(?:cautiverio|custodia)\b",
    "held_before": r"\b(?:cautiverio|custodia|cárceles?|prisiones?)\s+$",
    "speech": r"\b(?:dijo|declaró|anunció|informó|según|comunicado|confirmó|escribió)\b[^.;]{0,25}$",
    "talks": r"\b(?:conversaciones|negociaciones|reunión|acuerdo)\b[^.;,]{0,25}$",
    "people": (r"^(?!\s+(?:países|partes|bandos|lados|veces|días|semanas|meses|años|delegaciones)\b)"
               r"[\s\w'-]{0,40}?\b(?:prisioneros?|soldados|militares|civiles|personas|cuerpos|restos"
               r"|ucranianos|rusos|cautivos|detenidos|rehenes|combatientes|hombres|mujeres|caídos|ciudadanos"
               r"|estadounidenses|presos|heridos|niños|marinos)\b"),
    "zero": r"\b(?:ningún cuerpo|no recibió ningún)\b",
    "of_own": r"^\s*(?:de los suyos|propios)\b",
    "months": {"ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8, "sep": 9,
               "set": 9, "oct": 10, "nov": 11, "dic": 12},
    "month_re": (r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre"
                 r"|diciembre)"),
    "weekdays": {"lunes": 0, "martes": 1, "miércoles|miercoles": 2, "jueves": 3, "viernes": 4, "sábado|sabado": 5,
                 "domingo": 6},
    "yesterday": r"\bayer\b|\bun día después de(?: que)?\b", "today": r"\bhoy\b", "day_before": r"\bel día anterior\b",
    "day_after": r"\bal día siguiente\b",
    "this_week": r"\besta semana\b", "last_week": r"\bla semana pasada\b",
    "this_month": r"\beste mes\b", "last_month": r"\bel mes pasado\b",
    "future": r"\b(?:próxim\w*)\s+$",
    "numbers": numwords.ES,
    "multipliers": numwords.MULT_ES,
    "for_n": r"^\s*(?:[^\W\d]+\s+){0,2}?(?:por)\s*$",
    "mediation": r"\b(?:mediaci\w*|mediad\w*|medió|mediaron|gracias a|con la ayuda|facilit\w*|intermediari\w*)\b",
    "categories": {
        "civilians": r"\bciviles\b", "wounded": r"\b(?:heridos|gravemente enfermos)\b",
        "under_25": r"\bmenores de 25\b", "children": r"\bniños\b",
        "foreign_fighters": r"\b(?:combatientes extranjeros|mercenarios)\b",
    },
}

PT = dict(ES)
PT.update({
    "not_people": (r"^\s*(?:de\s+)(?:opiniões|informações|tiros|fogo|experiências|dados|acusações|mensagens|farpas"
                   r"|ideias|estudantes|divisas|galhardetes)"),
    "same_day": r"\bno mesmo dia\b",
    "list_of": r"\blistas?\s+(?:de\s+|com\s+)?$",
    "two_days_ago": r"\banteontem\b",
    "one_for_one": r"(?-i:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+[^.;]{0,80}?\bem troca d[aoe]s?\s+(?:[\w\'’-]+\s+){0,5}?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+)",
    "proposal": r"\b(?:propôs|propõe|prepara|ofereceu|oferece)\b",
    "to": r"(?:\bpara\s+(?:a\s+|o\s+)?|(?<!\w)(?:à|ao)\s+)$",
    "equal": r"\b(?:o mesmo número|a mesma quantidade)\b",
    "other_way": r"^[^.;]{0,30}?\b(?:em troca|em contrapartida|no sentido inverso)\b",
    "subset": r"\b(?:entre eles|entre elas|incluindo|dos quais|entre os quais)\b",
    "subset_lead": r"\bentre (?:os|as|eles|elas)\s+$",
    "reciprocal": r"\b(?:em troca|em contrapartida|por sua vez)\b",
    "days_ago": r"\b(?:há (\w+) dias?|(\w+) dias? (?:antes|atrás))\b",
    "denial": r"(?:sem (?:troca|intercâmbio)|não (?:é|foi) uma troca|nada em troca|sem contrapartida|(?:libertação|gesto) unilateral)",
    "additive": r"\b(?:além disso|também|ainda)\b",
    "exchange": r"\b(?:troc\w*|intercâmbio|permut\w*)\b",
    "idiom": r"\bem troca de\b",
    "captive": r"\b(?:prisioneiros?|cativ\w*|detidos?|reféns)\b",
    "soldier": r"\b(?:soldados|militares|combatentes|pessoas|civis|cidadãos|ucranianos|russos|americanos"
               r"|iranianos)\b",
    "release": (r"\b(?:repatri\w*|libert\w*|devolv\w*|entreg\w*|regress\w*|voltaram|soltos|soltou|para casa)\b"),
    "body": r"\b(?:falecidos|corpos?|restos mortais|restos|cadáveres|soldados mortos|mortos)\b",
    "conducted": (r"\b(?:trocaram|realizaram|realizou|ocorreu|aconteceu|repatriad\w*|libertad\w*|libertou|libertaram"
                  r"|entregou|entregaram|recebeu|receberam|devolveu|devolveram|regressaram|voltaram|concluí\w*"
                  r"|trocados|trocadas|com a entrega de|aterraram|aterrissaram"
                  r"|chegaram)\b"),
    "agreed": (r"\b(?:acordaram|acordad[oa]s?|acordo(?<!de acordo)\b|acertad\w*|acertaram|combinad\w*|concordaram"
               r"|comprometeu|comprometeram)"),
    "agreed_verb": r"\b(?:acordaram|acertaram|concordaram|chegaram a acordo|chegaram a um acordo)\b",
    "planned": (r"\b(?:vai|vão|prevê|previsto|planej\w*|planeia\w*|dispost\w*|propost\w*|propô\w*|propõe\w*|exig\w*"
                r"|próxim\w*|em breve|poderia|será realizad\w*|ofereceu|oferece|prepar\w*|pretende\w*|quer)\b"),
    "negation": (r"\b(?:não houve troca|adiad\w*|cancelad\w*|bloquead\w*|bloquear|rejeit\w*|fracass\w*|indult\w*"
                 r"|tortur\w*|maus-tratos|deportad\w*|protest\w*|manifestaç\w*|acusou|acusa|acusam|acusaram|acusações|discut\w*|entrevist\w*"
                 r"|parad[oa]s|estagnad\w*|levad[oa]s à força|reunid\w* com|reencontr\w*)\b"),
    "cumulative": r"\b(?:desde o início|desde 2022|no total desde|até agora)\b",
    "each": r"\b(?:cada um|cada lado|de cada lado|por lado|ambos os lados|cada parte)\b",
    "each_strict": r"\b(?:cada uma?|cada lado|de cada lado|por lado|cada parte|cada(?=\s*[,.;)]|\s*$))",
    "approx": r"\b(?:cerca de|aproximadamente|perto de|quase|uns|umas)\s+$",
    "at_least": r"\b(?:mais de|pelo menos|no mínimo)\s+$",
    "receive": r"\b(?:receb\w*|recuper\w*|regressaram|voltaram|para casa)\b",
    "give": r"\b(?:entreg\w*|devolv\w*|libert\w*|solt\w*|transferi\w*)\b",
    "held_in": r"^\s*(?:cativeiro|custódia)\b",
    "held_before": r"\b(?:cativeiro|custódia|prisões|prisão)\s+$",
    "speech": r"\b(?:disse|declarou|anunciou|informou|segundo|comunicado|confirmou|escreveu)\b[^.;]{0,25}$",
    "talks": r"\b(?:conversações|negociações|reunião|acordo)\b[^.;,]{0,25}$",
    "people": (r"^(?!\s+(?:países|partes|lados|vezes|dias|semanas|meses|anos|delegações)\b)"
               r"[\s\w'-]{0,40}?\b(?:prisioneiros?|soldados|militares|civis|pessoas|corpos|restos"
               r"|ucranianos|russos|cativos|detidos|reféns|combatentes|homens|mulheres|mortos|cidadãos"
               r"|americanos|presos|feridos|crianças|marinheiros)\b"),
    "zero": r"\b(?:nenhum corpo|não recebeu nenhum)\b",
    "of_own": r"^\s*(?:dos seus|próprios)\b",
    "months": {"jan": 1, "fev": 2, "mar": 3, "abr": 4, "mai": 5, "jun": 6, "jul": 7, "ago": 8, "set": 9,
               "out": 10, "nov": 11, "dez": 12},
    "month_re": (r"(?:janeiro|fevereiro|março|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro"
                 r"|dezembro)"),
    "weekdays": {_pt_weekday("segunda"): 0, _pt_weekday("terça"): 1, _pt_weekday("quarta"): 2,
                 _pt_weekday("quinta"): 3, _pt_weekday("sexta"): 4, "sábado|sabado": 5, "domingo": 6},
    "yesterday": r"\bontem\b|\bum dia (?:depois|após)\b", "today": r"\bhoje\b", "day_before": r"\bna véspera\b",
    "day_after": r"\bno dia seguinte\b",
    "this_week": r"\besta semana\b", "last_week": r"\bna semana passada\b",
    "this_month": r"\beste mês\b", "last_month": r"\bno mês passado\b",
    "numbers": numwords.PT,
    "multipliers": numwords.MULT_PT,
    "mediation": r"\b(?:mediaç\w*|mediad\w*|mediou|mediaram|graças a|com a ajuda|facilit\w*|intermedia\w*)\b",
    "categories": {
        "civilians": r"\bcivis\b", "wounded": r"\b(?:feridos|gravemente doentes)\b",
        "under_25": r"\b(?:menores de 25|com menos de 25 anos|abaixo de 25 anos)\b", "children": r"\bcrianças\b",
        "foreign_fighters": r"\b(?:combatentes estrangeiros|mercenários)\b",
    },
})
