"""Number words of the non-English languages: word -> value, with the case forms news texts use.

Articles that double as "one" (ein, un, una, um, uma) are left out: they are far more often articles.
``MULT_*`` are the words that multiply the run before them ("zwei tausend", "deux cents", "две тысячи").
``ALONE_*`` are words that are no count on their own: plural multipliers ("тысячи" is "thousands of") and
"one" ("один из освобожденных" is "one of those freed"), kept inside runs ("двадцать один").
"""

from __future__ import annotations


def _forms(table: dict[int, str]) -> dict[str, int]:
    """``{value: "form1 form2 ..."}`` -> ``{form: value}``; apostrophe forms get both ' and ’."""
    out: dict[str, int] = {}
    for value, forms in table.items():
        for form in forms.split():
            out[form] = value
            if "'" in form:
                out[form.replace("'", "’")] = value
    return out


RU = _forms({
    1: "один одного одному одна одну одной",
    2: "два две двух двум двумя двое двоих",
    3: "три трех трёх трем трём тремя трое троих",
    4: "четыре четырех четырёх четырем четырём четверо четверых",
    5: "пять пяти пятью пятеро пятерых",
    6: "шесть шести шестью шестеро шестерых",
    7: "семь семи семью семеро семерых",
    8: "восемь восьми восемью восьмеро восьмерых",
    9: "девять девяти девятью девятеро девятерых",
    10: "десять десяти десятью десятеро десятерых",
    11: "одиннадцать одиннадцати", 12: "двенадцать двенадцати", 13: "тринадцать тринадцати",
    14: "четырнадцать четырнадцати", 15: "пятнадцать пятнадцати", 16: "шестнадцать шестнадцати",
    17: "семнадцать семнадцати", 18: "восемнадцать восемнадцати", 19: "девятнадцать девятнадцати",
    20: "двадцать двадцати", 30: "тридцать тридцати", 40: "сорок сорока", 50: "пятьдесят пятидесяти",
    60: "шестьдесят шестидесяти", 70: "семьдесят семидесяти", 80: "восемьдесят восьмидесяти",
    90: "девяносто девяноста",
    100: "сто ста сотня сотню сотней сотни", 200: "двести двухсот двумстам", 300: "триста трехсот трёхсот",
    400: "четыреста четырехсот четырёхсот", 500: "пятьсот пятисот", 600: "шестьсот шестисот",
    700: "семьсот семисот", 800: "восемьсот восьмисот", 900: "девятьсот девятисот",
    1000: "тысяча тысячу тысячи тысяч тысячей тысяче тысячам тысячами",
})
RU.update({"полторы тысячи": 1500, "полутора тысяч": 1500, "полторы сотни": 150, "полутора сотен": 150})
MULT_RU = {w: 1000 for w in ("тысяча", "тысячу", "тысячи", "тысяч", "тысячей", "тысяче", "тысячам", "тысячами")}
ALONE_RU = frozenset({"тысячи", "тысяч", "тысячам", "тысячами", "сотни"} | {w for w, v in RU.items() if v == 1})

UK = _forms({
    1: "один одного одному одна одну одній однієї",
    2: "два дві двох двом двома двоє",
    3: "три трьох трьом трьома троє",
    4: "чотири чотирьох чотирьом четверо",
    5: "п'ять п'яти п'ятьох п'ятеро",
    6: "шість шести шістьох шестеро",
    7: "сім семи сімох семеро",
    8: "вісім восьми вісьмох восьмеро",
    9: "дев'ять дев'яти дев'ятьох дев'ятеро",
    10: "десять десяти десятьох десятеро",
    11: "одинадцять одинадцяти одинадцятьох", 12: "дванадцять дванадцяти дванадцятьох",
    13: "тринадцять тринадцяти тринадцятьох", 14: "чотирнадцять чотирнадцяти чотирнадцятьох",
    15: "п'ятнадцять п'ятнадцяти п'ятнадцятьох", 16: "шістнадцять шістнадцяти шістнадцятьох",
    17: "сімнадцять сімнадцяти сімнадцятьох", 18: "вісімнадцять вісімнадцяти вісімнадцятьох",
    19: "дев'ятнадцять дев'ятнадцяти дев'ятнадцятьох",
    20: "двадцять двадцяти двадцятьох", 30: "тридцять тридцяти тридцятьох", 40: "сорок сорока",
    50: "п'ятдесят п'ятдесяти п'ятдесятьох", 60: "шістдесят шістдесяти", 70: "сімдесят сімдесяти",
    80: "вісімдесят вісімдесяти", 90: "дев'яносто дев'яноста",
    100: "сто ста сотня сотню сотнею сотні", 200: "двісті двохсот", 300: "триста трьохсот",
    400: "чотириста чотирьохсот", 500: "п'ятсот п'ятисот", 600: "шістсот шестисот", 700: "сімсот семисот",
    800: "вісімсот восьмисот", 900: "дев'ятсот дев'ятисот",
    1000: "тисяча тисячу тисячі тисяч тисячею тисячам тисячами",
})
UK.update({"півтори тисячі": 1500, "півтори сотні": 150})
MULT_UK = {w: 1000 for w in ("тисяча", "тисячу", "тисячі", "тисяч", "тисячею", "тисячам", "тисячами")}
ALONE_UK = frozenset({"тисячі", "тисяч", "тисячам", "тисячами", "сотні"} | {w for w, v in UK.items() if v == 1})

_DE_UNITS = ["", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
_DE_TENS = {20: "zwanzig", 30: "dreißig", 40: "vierzig", 50: "fünfzig", 60: "sechzig", 70: "siebzig",
            80: "achtzig", 90: "neunzig"}


def _german() -> dict[str, int]:
    out = {w: i for i, w in enumerate(_DE_UNITS) if i >= 2}
    out.update({"zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
                "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "dutzend": 12})
    for tens, word in _DE_TENS.items():
        out[word] = tens
        for unit in range(1, 10):
            out[f"{_DE_UNITS[unit]}und{word}"] = tens + unit
    out.update({"hundert": 100, "einhundert": 100, "tausend": 1000, "eintausend": 1000})
    for unit in range(2, 10):
        out[f"{_DE_UNITS[unit]}hundert"] = unit * 100
        out[f"{_DE_UNITS[unit]}tausend"] = unit * 1000
    return out


DE = _german()
MULT_DE = {"hundert": 100, "tausend": 1000}

FR = _forms({
    2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit", 9: "neuf", 10: "dix",
    11: "onze", 12: "douze", 13: "treize", 14: "quatorze", 15: "quinze", 16: "seize", 20: "vingt",
    30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante", 70: "soixante-dix",
    80: "quatre-vingt quatre-vingts", 90: "quatre-vingt-dix", 100: "cent cents", 1000: "mille",
})
MULT_FR = {"cent": 100, "cents": 100, "mille": 1000}

ES = _forms({
    2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho", 9: "nueve", 10: "diez",
    11: "once", 12: "doce", 13: "trece", 14: "catorce", 15: "quince", 16: "dieciséis", 17: "diecisiete",
    18: "dieciocho", 19: "diecinueve", 20: "veinte", 21: "veintiuno veintiún", 22: "veintidós",
    23: "veintitrés", 24: "veinticuatro", 25: "veinticinco", 26: "veintiséis", 27: "veintisiete",
    28: "veintiocho", 29: "veintinueve", 30: "treinta", 40: "cuarenta", 50: "cincuenta", 60: "sesenta",
    70: "setenta", 80: "ochenta", 90: "noventa", 100: "cien ciento",
    200: "doscientos doscientas", 300: "trescientos trescientas", 400: "cuatrocientos cuatrocientas",
    500: "quinientos quinientas", 600: "seiscientos seiscientas", 700: "setecientos setecientas",
    800: "ochocientos ochocientas", 900: "novecientos novecientas", 1000: "mil",
})
MULT_ES = {"mil": 1000}

PT = _forms({
    2: "dois duas", 3: "três", 4: "quatro", 5: "cinco", 6: "seis", 7: "sete", 8: "oito", 9: "nove", 10: "dez",
    11: "onze", 12: "doze", 13: "treze", 14: "catorze quatorze", 15: "quinze", 16: "dezesseis dezasseis",
    17: "dezessete dezassete", 18: "dezoito", 19: "dezenove dezanove", 20: "vinte", 30: "trinta",
    40: "quarenta", 50: "cinquenta", 60: "sessenta", 70: "setenta", 80: "oitenta", 90: "noventa",
    100: "cem cento", 200: "duzentos duzentas", 300: "trezentos trezentas", 400: "quatrocentos quatrocentas",
    500: "quinhentos quinhentas", 600: "seiscentos seiscentas", 700: "setecentos setecentas",
    800: "oitocentos oitocentas", 900: "novecentos novecentas", 1000: "mil",
})
MULT_PT = {"mil": 1000}
