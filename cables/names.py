"""Names of persons in a portion's text, each with its span and the evidence it was found by.

Standard library only (like cables/parser/). Cables are often all capitals, so capitalisation
alone cannot tell a name; the evidence is, in order of strength:

- "title": a word or phrase before the name that names an office or a courtesy (MR., MINISTER,
  FOREIGN MINISTER, A/S, DG, Ambassador, Dr.); an office makes the person public, a courtesy
  title alone private;
- "person tag": the cable's TAGS name the person (official-visit tags: OVIP RICE CONDOLEEZZA);
- "speech": a name that says, tells, adds ... ("SADDAM SAID", "Bates noted");
- "capitalised": in mixed-case text, a run of capitalised words inside a sentence that is not a
  place, an organisation, a nationality, a month or a common cable word;
- "repeat": a word found as a name elsewhere in the same cable (its subject, other portions).

find_names() returns them without overlaps; public is True (an official acting in a public
role), False (a private person) or None (nothing in the cable says), and why says which.
bench/suggest.py measures precision and recall on a hand-checked sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Name:
    start: int
    end: int  # exclusive
    text: str
    kind: str  # "title", "person tag", "speech", "capitalised", "repeat"
    evidence: str  # "after FOREIGN MINISTER", "person tag RICE, CONDOLEEZZA"
    public: bool | None
    why: str  # "public role: FOREIGN MINISTER", "courtesy title MR. only, no office"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.upper().split())


# Offices: whoever holds one acts in a public role. Matched on the upper-cased word without its dot.
OFFICES = _words(
    """
    PRESIDENT MINISTER PM FM DPM FONMIN DEFMIN MININT AMBASSADOR AMB DG DAS DASD ASD A/S U/S SECDEF
    SECSTATE SECRETARY SENATOR SEN GOVERNOR GOV MAYOR KING QUEEN PRINCE PRINCESS EMIR AMIR SHEIKH
    SHAYKH SULTAN SPEAKER JUDGE JUSTICE PROSECUTOR COMMANDER ADMIRAL ADM GENERAL GEN LTG MG BG
    COLONEL COL LTC MAJOR MAJ BRIGADIER BRIG CAPTAIN CAPT CDR LT LIEUTENANT CHANCELLOR PREMIER
    COMMISSIONER CONGRESSMAN CONGRESSWOMAN CODEL REP REPRESENTATIVE DEPUTY CHARGE DCM CONSUL
    CONSUL-GENERAL ATTACHE AMBASSADOR-DESIGNATE POPE CARDINAL ARCHBISHOP BISHOP PATRIARCH MUFTI
    BARONESS LORD SIR DAME CHAIRMAN CHAIRWOMAN CHAIR DIRECTOR CHIEF SPOKESMAN SPOKESWOMAN
    SPOKESPERSON ENVOY MP MEP GOVERNOR-GENERAL VICE-PRESIDENT VP SECRETARY-GENERAL SYG
    UNDERSECRETARY UNDER-SECRETARY VICEMINISTER VICE-MINISTER HEAD COORDINATOR ADVISOR ADVISER
    COUNSELOR POLOFF ECONOFF EMBOFF POLCOUNS ECONCOUNS DATT LEGATT RSO POC GENERAL-SECRETARY
    MAGISTRATE LEADER GOVERNOR-ELECT PRESIDENT-ELECT OFFICER
    """
)
# Courtesy titles say nothing about an office.
COURTESY = _words("MR MRS MS MISS DR PROF PROFESSOR MESSRS MME M")
TITLES = OFFICES | COURTESY
# Words that may sit inside a title phrase: FOREIGN MINISTER, MINISTER OF FOREIGN AFFAIRS,
# VICE PRESIDENT, DIRECTOR GENERAL, ISN ACTING ASSISTANT SECRETARY.
TITLE_FILLERS = _words(
    """
    OF THE FOR AND & FOREIGN DEFENSE DEFENCE INTERIOR FINANCE ECONOMY ECONOMIC JUSTICE HEALTH TRADE
    COMMERCE INDUSTRY ENERGY AGRICULTURE EDUCATION LABOR LABOUR STATE HOME AFFAIRS PUBLIC SECURITY
    NATIONAL INFORMATION CULTURE TOURISM TRANSPORT ENVIRONMENT PLANNING WATER OIL PETROLEUM MINES
    ACTING ASSISTANT DEPUTY VICE PRIME EXECUTIVE SPECIAL SENIOR FIRST SECOND THIRD POLITICAL
    PERMANENT GENERAL SUPREME FORMER THEN OUTGOING INCOMING NEW INTERIM CABINET PRESIDENTIAL
    MILITARY ARMY NAVY AIR FORCE POLICE INTELLIGENCE PARLIAMENT PARLIAMENTARY PARTY OPPOSITION
    ADMINISTRATION ECOLOGY DEVELOPMENT SUSTAINABLE YOUTH SPORTS HOUSING CITIES BUDGET ACCOUNTS
    CIVIL FISHERIES SOCIAL WELFARE RELATIONS COOPERATION INTEGRATION REFORM REFORMS SCIENCE
    TECHNOLOGY RESOURCES COMMUNICATIONS TELECOMMUNICATIONS WORKS WOMEN FAMILY EMPLOYMENT
    """
)
# Words that are never (part of) a person's name in a cable.
COMMON = _words(
    """
    A AN THE AND OR BUT IF OF IN ON AT TO FOR FROM BY WITH WITHOUT AS INTO ONTO UPON ABOUT ABOVE
    AFTER BEFORE DURING SINCE UNTIL WHILE THOUGH ALTHOUGH BECAUSE THAT THIS THESE THOSE THERE HERE
    WHICH WHO WHOM WHOSE WHAT WHEN WHERE WHY HOW ALL ANY EACH EVERY BOTH EITHER NEITHER NO NOT NOR
    SOME MANY MUCH MORE MOST OTHER SUCH ONLY ALSO JUST EVEN STILL YET THEN THAN SO VERY TOO AGAIN
    HE SHE IT WE THEY I YOU HIM HER ITS OUR THEIR THEM US ME MY YOUR HIS HERS ONE TWO THREE FOUR
    FIVE SIX SEVEN EIGHT NINE TEN IS ARE WAS WERE BE BEEN BEING HAS HAVE HAD DO DOES DID WILL WOULD
    SHALL SHOULD CAN COULD MAY MIGHT MUST SAID SAYS SAY TOLD NOTED ADDED STATED ASKED REPLIED
    HOWEVER MOREOVER FURTHERMORE ADDITIONALLY ACCORDING REGARDING CONCERNING INCLUDING DESPITE
    SUMMARY COMMENT END NOTE BEGIN TEXT ACTION REQUEST INFO REF REFS REFTEL REFTELS PARA PARAS
    PARAGRAPH SUBJECT TAGS CLASSIFIED REASON REASONS DECL SIPDIS NOFORN CONFIDENTIAL SECRET
    UNCLASSIFIED SENSITIVE SBU USG GOVERNMENT EMBASSY MISSION POST CONSULATE DEPARTMENT MINISTRY
    OFFICE OFFICIAL OFFICIALS COUNTRY COUNTRIES PEOPLE STAFF TEAM VISIT MEETING TALKS ISSUE ISSUES
    SECTION WEEK MONTH YEAR DAY TODAY YESTERDAY TOMORROW MR. XXXXXXXXXXXX
    JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER
    JAN FEB MAR APR JUN JUL AUG SEP SEPT OCT NOV DEC
    MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY
    NORTH SOUTH EAST WEST NORTHERN SOUTHERN EASTERN WESTERN CENTRAL UPPER LOWER GREAT NEW HIGH
    UNITED STATES KINGDOM NATIONS UNION REPUBLIC DEMOCRATIC PEOPLE'S ISLAMIC ARAB EUROPEAN AFRICAN
    ASIAN AMERICAN AMERICANS INTERNATIONAL GLOBAL WORLD REGIONAL LOCAL FEDERAL PROVINCIAL MUNICIPAL
    BANK INSTITUTE UNIVERSITY COLLEGE SCHOOL COMMITTEE COUNCIL COURT PARTY PARLIAMENT CONGRESS
    SENATE ASSEMBLY CABINET PROGRAM PROGRAMME INITIATIVE GROUP COMPANY CORPORATION CORP INC LTD
    ASSOCIATION CENTER CENTRE AGENCY COMMISSION ARMY NAVY FORCE FORCES POLICE AIRPORT HOTEL PALACE
    STREET AVENUE PROVINCE DISTRICT REGION ISLAND ISLANDS RIVER REPORT SUMMIT ACCORD ACT LAW PLAN
    NETWORK MOVEMENT FRONT CHURCH MOSQUE FOUNDATION FUND ORGANIZATION ORGANISATION AUTHORITY SERVICE
    SERVICES COALITION ALLIANCE TRIBUNAL CONVENTION TREATY AGREEMENT CONFERENCE FORUM DIALOGUE
    PROCESS DAILY TIMES NEWS POST HERALD PRESS RADIO TELEVISION TV MEDIA INTERNET WEBSITE
    MUSLIM MUSLIMS CHRISTIAN CHRISTIANS JEWISH JEWS CATHOLIC ISLAM ISLAMIST SHIA SHIITE SUNNI
    HINDU BUDDHIST ARABS KURD KURDS KURDISH TALIBAN AL-QAEDA AL-QAIDA HAMAS HEZBOLLAH HIZBALLAH
    GOD ALLAH HUMAN RIGHTS PEACE WAR SECURITY DEFENSE DEFENCE ECONOMY ENERGY TRADE OIL GAS NUCLEAR
    CAPITAL CITY STATE TOWN VILLAGE CAMP BORDER ZONE AREA AFFAIRS FOREIGN DOMESTIC PUBLIC PRIVATE
    ASIDE NEEDS WANTS HOPES SEES KNOWS GAVE MADE MET CALLED BACHELOR MASTER MAJESTY HIGHNESS
    PLEASE THANKS THANK REGARDS CLEARED DRAFTED APPROVED NIACT IMMEDIATE PRIORITY ROUTINE
    """
)
PLACES = _words(
    """
    AFGHANISTAN ALBANIA ALGERIA ANDORRA ANGOLA ARGENTINA ARMENIA AUSTRALIA AUSTRIA AZERBAIJAN
    BAHAMAS BAHRAIN BANGLADESH BARBADOS BELARUS BELGIUM BELIZE BENIN BHUTAN BOLIVIA BOSNIA
    HERZEGOVINA BOTSWANA BRAZIL BRUNEI BULGARIA BURKINA FASO BURMA BURUNDI CAMBODIA CAMEROON CANADA
    CHAD CHILE CHINA COLOMBIA COMOROS CONGO COSTA RICA CROATIA CUBA CYPRUS CZECH DENMARK DJIBOUTI
    DOMINICA DOMINICAN ECUADOR EGYPT SALVADOR ERITREA ESTONIA ETHIOPIA FIJI FINLAND FRANCE GABON
    GAMBIA GEORGIA GERMANY GHANA GREECE GRENADA GUATEMALA GUINEA GUYANA HAITI HONDURAS HUNGARY
    ICELAND INDIA INDONESIA IRAN IRAQ IRELAND ISRAEL ITALY JAMAICA JAPAN JORDAN KAZAKHSTAN KENYA
    KOREA KOSOVO KUWAIT KYRGYZSTAN LAOS LATVIA LEBANON LESOTHO LIBERIA LIBYA LIECHTENSTEIN
    LITHUANIA LUXEMBOURG MACEDONIA MADAGASCAR MALAWI MALAYSIA MALDIVES MALI MALTA MAURITANIA
    MAURITIUS MEXICO MOLDOVA MONACO MONGOLIA MONTENEGRO MOROCCO MOZAMBIQUE NAMIBIA NEPAL
    NETHERLANDS ZEALAND NICARAGUA NIGER NIGERIA NORWAY OMAN PAKISTAN PALESTINE PANAMA PAPUA
    PARAGUAY PERU PHILIPPINES POLAND PORTUGAL QATAR ROMANIA RUSSIA RWANDA SAUDI ARABIA SENEGAL
    SERBIA SEYCHELLES SIERRA LEONE SINGAPORE SLOVAKIA SLOVENIA SOMALIA SPAIN SRI LANKA SUDAN
    SURINAME SWAZILAND SWEDEN SWITZERLAND SYRIA TAIWAN TAJIKISTAN TANZANIA THAILAND TIMOR TOGO
    TONGA TRINIDAD TOBAGO TUNISIA TURKEY TURKMENISTAN UGANDA UKRAINE EMIRATES UAE URUGUAY
    UZBEKISTAN VANUATU VATICAN VENEZUELA VIETNAM YEMEN ZAMBIA ZIMBABWE EUROPE AFRICA ASIA AMERICA
    AMERICAS GAZA BANK SAHEL BALKANS CAUCASUS GULF MIDDLE CARIBBEAN PACIFIC ATLANTIC MEDITERRANEAN
    WASHINGTON BRUSSELS LONDON PARIS BERLIN ROME MADRID MOSCOW BEIJING TOKYO SEOUL PYONGYANG DELHI
    MUMBAI KABUL KANDAHAR HELMAND ISLAMABAD KARACHI TEHRAN BAGHDAD DAMASCUS BEIRUT AMMAN RIYADH
    JEDDAH DUBAI DOHA MANAMA KUWAIT SANAA ADEN MUSCAT CAIRO TRIPOLI TUNIS ALGIERS RABAT JERUSALEM
    TEL AVIV ANKARA ISTANBUL ATHENS SOFIA BUCHAREST BELGRADE ZAGREB SARAJEVO TIRANA SKOPJE
    PRISTINA BUDAPEST VIENNA PRAGUE WARSAW KYIV KIEV MINSK VILNIUS RIGA TALLINN HELSINKI STOCKHOLM
    OSLO COPENHAGEN REYKJAVIK DUBLIN LISBON HAGUE AMSTERDAM ROTTERDAM BERN GENEVA ZURICH MILAN
    NAPLES PALERMO MUNICH FRANKFURT HAMBURG LYON MARSEILLE BARCELONA OTTAWA TORONTO MEXICO HAVANA
    CARACAS BOGOTA QUITO LIMA PAZ SANTIAGO BUENOS AIRES MONTEVIDEO ASUNCION BRASILIA PAULO RIO
    JANEIRO MANAGUA TEGUCIGALPA GUATEMALA JOSE PANAMA KINGSTON BRIDGETOWN NASSAU PORT-AU-PRINCE
    NAIROBI ADDIS ABABA KHARTOUM KAMPALA KIGALI KINSHASA LAGOS ABUJA ACCRA DAKAR HARARE LUSAKA
    PRETORIA JOHANNESBURG GABORONE BUJUMBURA ASTANA ALMATY TASHKENT DUSHANBE BISHKEK BAKU YEREVAN
    TBILISI HANOI BANGKOK JAKARTA MANILA CANBERRA SYDNEY WELLINGTON COLOMBO DHAKA KATHMANDU
    CALCUTTA KOLKATA CHENNAI AHMEDABAD GUJARAT PUNJAB KASHMIR WAZIRISTAN PESHAWAR TIJUANA
    MONTERREY GUADALAJARA JUAREZ MEDELLIN CALI HONG KONG MACAU SHANGHAI GUANGZHOU TAIPEI
    ALEXANDRIA BASRA MOSUL KIRKUK ERBIL FALLUJAH NAJAF KARBALA HERAT MAZAR QANDAHAR SINAI DARFUR
    KALAHARI AMAZON ANDES KOREAS ASIA-PACIFIC NEW YORK CHICAGO CALIFORNIA TEXAS FLORIDA VIRGINIA
    """
)
NATIONALITIES = _words(
    """
    AFGHAN ALBANIAN ALGERIAN ARGENTINE ARGENTINIAN ARMENIAN AUSTRALIAN AUSTRIAN AZERI BAHRAINI
    BANGLADESHI BELARUSIAN BELGIAN BOLIVIAN BOSNIAN BRAZILIAN BRITISH BULGARIAN BURMESE CAMBODIAN
    CANADIAN CHILEAN CHINESE COLOMBIAN CONGOLESE CROATIAN CUBAN CYPRIOT CZECH DANISH DUTCH
    ECUADOREAN ECUADORIAN EGYPTIAN EMIRATI ERITREAN ESTONIAN ETHIOPIAN FINNISH FRENCH GEORGIAN
    GERMAN GHANAIAN GREEK GUATEMALAN HAITIAN HONDURAN HUNGARIAN ICELANDIC INDIAN INDONESIAN
    IRANIAN IRAQI IRISH ISRAELI ITALIAN JAMAICAN JAPANESE JORDANIAN KAZAKH KENYAN KOREAN KUWAITI
    KYRGYZ LATVIAN LEBANESE LIBYAN LITHUANIAN MACEDONIAN MALAYSIAN MEXICAN MOLDOVAN MONGOLIAN
    MOROCCAN NEPALI NICARAGUAN NIGERIAN NORWEGIAN OMANI PAKISTANI PALESTINIAN PANAMANIAN
    PARAGUAYAN PERUVIAN FILIPINO POLISH PORTUGUESE QATARI ROMANIAN RUSSIAN RWANDAN SAUDI
    SENEGALESE SERBIAN SERB SERBS SINGAPOREAN SLOVAK SLOVENIAN SOMALI SPANISH SUDANESE SWEDISH
    SWISS SYRIAN TAIWANESE TAJIK THAI TUNISIAN TURKISH TURK TURKS UGANDAN UKRAINIAN URUGUAYAN
    UZBEK VENEZUELAN VIETNAMESE YEMENI ZAMBIAN ZIMBABWEAN EUROPEAN AFRICAN ASIAN ARAB PERSIAN
    PASHTUN TAJIKS HAZARA BALUCH SCOTTISH WELSH ENGLISH LATIN NORDIC SCANDINAVIAN SOVIET WESTERN
    AMERICANS BRITONS FRENCHMEN RUSSIANS CHINESE ISRAELIS PALESTINIANS IRANIANS IRAQIS AFGHANS
    PAKISTANIS SAUDIS SYRIANS EGYPTIANS LIBYANS YEMENIS JORDANIANS LEBANESE KOREANS JAPANESE
    INDIANS MEXICANS COLOMBIANS VENEZUELANS CUBANS BRAZILIANS ARGENTINES CHILEANS GERMANS
    ITALIANS SPANIARDS DUTCH DANES SWEDES NORWEGIANS ICELANDERS TURKS GREEKS SERBS CROATS BOSNIANS
    KOSOVARS ALBANIANS UKRAINIANS BELARUSIANS UZBEKS KAZAKHS NIGERIANS KENYANS SOMALIS SUDANESE
    ETHIOPIANS ERITREANS
    """
)
EXCLUDED = COMMON | PLACES | NATIONALITIES | TITLES | TITLE_FILLERS | _words("U.S U.N U.K E.U EU. U.S.-")
# Common given names: a capitalised run that starts with one is a person ("Monique Wadsted").
GIVEN_NAMES = _words(
    """
    AARON ABDEL ABDUL ABDULLAH ABDULAZIZ ABDULLAHI ABU ADAM ADEL ADNAN AHMAD AHMED AHMET AKBAR ALAIN
    ALBERT ALBERTO ALEJANDRO ALEKSANDAR ALEKSANDR ALEKSEI ALEXANDER ALEXANDRE ALEXEI ALFONSO ALFREDO
    ALI ALICIA ALLAN ALVARO AMIN AMIR AMR ANA ANDERS ANDRE ANDREA ANDREAS ANDREI ANDRES ANDREW ANGEL
    ANGELA ANN ANNA ANNE ANTHONY ANTONIO ARIEL ARMANDO ARTURO ASHRAF AYMAN BASHAR BEATRIZ BENJAMIN
    BERNARD BEVERLY BORIS BRIAN BULENT CARL CARLOS CARMEN CATHERINE CESAR CHARLES CHRIS CHRISTIAN
    CHRISTINA CHRISTINE CHRISTOPHER CLAUDE CLAUDIA DANIEL DANIELA DAVID DIANA DIEGO DIMITRI DMITRI
    DMITRY DOMINIQUE DONALD EDUARDO EDWARD ELENA ELIZABETH EMILE EMILIO ENRIQUE ERIC ERNESTO
    ESTEBAN FARID FARIS FATIMA FELIPE FERNANDO FIDEL FRANCESCO FRANCISCO FRANCOIS FRANK FRANS FRANZ
    FREDERICK GABRIEL GEORGE GEORGES GEORGI GEOFFREY GERHARD GIUSEPPE GIULIO GIORGIO GORAN GUSTAVO
    GUY HAMAD HAMDAN HAMID HANS HASSAN HECTOR HELMUT HENRI HENRY HOSSEIN HUGO HUSSEIN IBRAHIM IGOR
    ILKER IMRAN IVAN JACOB JACQUES JAIME JAMES JAN JAVIER JEAN JEAN-BERTRAND JEAN-CLAUDE JEAN-FRANCOIS
    JEAN-MARIE JEAN-PIERRE JEFFREY JENNIFER JOAO JOHANNA JOHN JORGE JOSE JOSEF JOSEPH JUAN JULIA
    JULIO KAMAL KARIM KARL KATHERINE KHALED KHALID KLAUS LAURA LAURENT LAWRENCE LEONID LUIS LUIZ
    MAHMOUD MANUEL MARC MARCO MARCOS MARIA MARIE MARIO MARIT MARK MARTIN MARTINE MASSIMO MATTHEW
    MAURICIO MEHMET MEREDITH MICHAEL MICHEL MIGUEL MIKHAIL MOHAMED MOHAMMAD MOHAMMED MOHAMMAD
    MONIQUE MUAMMAR MUHAMMAD MUSTAFA NABIH NADIA NASR NASSER NATALIA NATIVIDAD NELSON NICOLAS NIKOLAI
    NIKOLA OLEG OLIVER OLIVIER OMAR OSCAR OYVIND PABLO PAOLO PATRICK PAUL PEDRO PETER PETR PHILIPPE
    PIERRE PRANAB RAFAEL RAMON RASHID RASIM RATKO RAUL RICARDO RICHARD ROBERT ROBERTO RODRIGO ROGER
    ROLAND ROSELYN SAAD SALEH SALIM SALOMON SAMI SAMIR SAMUEL SANDRA SARAH SERGEI SERGEY SERGIO
    SIMON SINISA SONIA STEFAN STEPHEN STEVEN SUSAN TARIQ THOMAS TIMOTHY TONY VALENTINA VANESSA
    VASILY VICTOR VIKTOR VLADIMIR WALTER WILLIAM YASSER YOUSSEF YURI YUSUF YVES ZORAN
    """
)
# Lower-case particles inside names: Ahmed bin Saeed al-Maktoum, Van Rompuy, Garcia de la Vega.
PARTICLES = frozenset("bin bint ibn al el van von der den de da do dos del la le di du ter".split())
SPEECH = _words(
    """
    SAID SAYS TOLD NOTED ADDED STATED ASKED REPLIED EXPLAINED EMPHASIZED EMPHASISED STRESSED
    ARGUED CLAIMED COMMENTED CONFIRMED AGREED INSISTED SUGGESTED ASSERTED OBSERVED DESCRIBED
    RESPONDED CONCLUDED ACKNOWLEDGED EXPRESSED WARNED REITERATED RECOMMENDED BELIEVES THINKS
    BELIEVED THOUGHT INDICATED COUNTERED CONTINUED PREDICTED SPECULATED REPORTED DISMISSED
    """
)
# Roles before a name that make the person private: "student Bedar", "columnist Can Dundar".
PRIVATE_ROLES = _words(
    """
    BUSINESSMAN BUSINESSWOMAN ENTREPRENEUR OWNER PROPRIETOR CEO EXECUTIVE MANAGER EMPLOYEE
    JOURNALIST REPORTER COLUMNIST EDITOR WRITER PROFESSOR ACADEMIC SCHOLAR RESEARCHER ANALYST
    STUDENT TEACHER LAWYER ATTORNEY DOCTOR PHYSICIAN ACTIVIST BLOGGER VICTIM WITNESS SUSPECT
    DETAINEE PRISONER CITIZEN RESIDENT WIFE HUSBAND SON DAUGHTER MOTHER FATHER BROTHER SISTER
    BOYFRIEND GIRLFRIEND CONTACT SOURCE INTERLOCUTOR AMCIT APPLICANT FARMER WORKER
    """
)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.\-/,]*[A-Za-z.]|[A-Za-z]")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$|^\s*$|\n\s*$|--\s*$|[(\"“]\s*$")


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return self.text.upper().rstrip(".").replace("’", "'")


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        # A comma may join a WikiLeaks-mangled apostrophe (YAR,ADUA,S) but never ends a word.
        raw = raw.rstrip(",")
        if raw.endswith(".") and not re.fullmatch(r"(?:[A-Za-z]\.)+|[A-Z][a-z]{0,3}\.|[A-Z]{1,4}\.", raw):
            raw = raw[:-1]
        for suffix in (",S", "'S", "’S", ",s", "'s", "’s"):
            if raw.endswith(suffix) and len(raw) > 3:
                raw = raw[: -len(suffix)]
                break
        raw = raw.rstrip(",'’-")
        if raw:
            out.append(_Tok(m.start(), m.start() + len(raw), raw))
    return out


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _name_word(tok: _Tok, upper: bool) -> bool:
    """Could this token be (part of) a person's name?"""
    key = tok.key
    if key in EXCLUDED or len(key.strip(".")) < 2 and not re.fullmatch(r"[A-Z]\.", tok.text):
        return False
    if any(ch.isdigit() for ch in key) or key.startswith("X" * 4):
        return False
    if upper:
        if key not in GIVEN_NAMES and re.search(r"(?:ED|ING|LY)$", key) and len(key) > 4:
            return False  # RETURNED, MEETING, FULLY: verbs and adverbs, not names
        return key.isupper() or not any(c.isalpha() for c in key)
    first = tok.text[0]
    if not first.isupper():
        return tok.text.lower() in PARTICLES or tok.text.startswith(("al-", "el-", "bin "))
    # ALL-CAPS acronyms in mixed-case text are organisations (NATO, FARC), not names.
    return not (tok.text.isupper() and len(tok.text) > 1 and not tok.text.endswith("."))


def _person_tags(tags: Sequence[str]) -> list[tuple[str, ...]]:
    """Person tags: the names after OVIP ("OVIP RICE CONDOLEEZZA" as the parser splits "OVIP (RICE,
    CONDOLEEZZA)"), or one entry with a comma ("RICE, CONDOLEEZZA")."""
    found: list[tuple[str, ...]] = []
    tags = [t.strip().upper() for t in tags if t.strip()]
    for tag in tags:
        if "," in tag or " " in tag:
            parts = tuple(p for p in re.split(r"[,\s]+", tag) if p)
            if len(parts) >= 2 and all(_looks_like_name_tag(p) for p in parts):
                found.append(parts)
    for i, tag in enumerate(tags):
        if tag != "OVIP":
            continue
        parts = []
        for nxt in tags[i + 1 : i + 3]:
            if not _looks_like_name_tag(nxt):
                break
            parts.append(nxt)
        if parts:
            found.append(tuple(parts))
    return found


def _looks_like_name_tag(tag: str) -> bool:
    # TAGS codes are two letters (countries) or four starting with a subject letter (PREL, KDEM,
    # OVIP); names are longer or start elsewhere (RICE, CLINTON, BIDEN).
    if not tag.isalpha() or len(tag) < 3 or tag in EXCLUDED:
        return False
    return not (len(tag) == 4 and tag[0] in "ABCEKMOPST") and not (len(tag) <= 3)


def _title_before(tokens: list[_Tok], i: int, text: str) -> tuple[str, bool] | None:
    """The title phrase ending right before tokens[i], and whether it names an office."""
    j = i - 1
    words: list[_Tok] = []
    while j >= 0 and len(words) < 6:
        tok = tokens[j]
        gap = text[tok.end : (words[0] if words else tokens[i]).start]
        if gap.strip(" ,\t") or "\n\n" in gap:
            break
        if tok.key not in TITLES and tok.key not in TITLE_FILLERS:
            break
        words.insert(0, tok)
        j -= 1
    while words and words[0].key in {"OF", "THE", "FOR", "AND", "&"}:
        words.pop(0)
    if not words or not any(w.key in TITLES for w in words):
        return None
    if words[-1].key in {"OF", "THE", "FOR", "AND", "&"}:
        return None  # "Mayor of Chantilly", "Head of Verification": the office's domain
    # "...minister of the interior, Ahmed" is a title; "the president, and Ahmed" is not.
    if text[words[-1].end : tokens[i].start].count(",") and words[-1].key not in TITLES:
        return None
    phrase = text[words[0].start : words[-1].end]
    office = any(w.key in OFFICES for w in words)
    return phrase, office


def _sentence_start(text: str, tok: _Tok) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, tok.start - 4) : tok.start]))


def _run(tokens: list[_Tok], i: int, upper: bool, text: str, limit: int = 4) -> int:
    """How many tokens from i make one name (0 if tokens[i] cannot start one)."""
    if not _name_word(tokens[i], upper) or (tokens[i].text.lower() in PARTICLES):
        return 0
    n = 1
    while i + n < len(tokens) and n < limit:
        prev, tok = tokens[i + n - 1], tokens[i + n]
        if prev.text.endswith(".") and not re.fullmatch(r"[A-Z]\.", prev.text):
            break  # "Aso. Tanaka" is two sentences, "J. Thomas" one name
        gap = text[prev.end : tok.start]
        if gap not in (" ", "") or not _name_word(tok, upper):
            break
        n += 1
    # A name does not end in a particle ("Van" alone is fine, "Rompuy van" is not).
    while n > 1 and tokens[i + n - 1].text.lower() in PARTICLES:
        n -= 1
    return n


def _private_role_before(tokens: list[_Tok], i: int) -> str:
    for tok in tokens[max(0, i - 4) : i]:
        if tok.key in PRIVATE_ROLES:
            return tok.text
    return ""


def _detect(text: str, person_tags: list[tuple[str, ...]]) -> list[Name]:
    """Names found in one text by title, person tag, speech and capitalisation (no repeats)."""
    tokens = _tokens(text)
    upper = _is_upper(text)
    found: list[Name] = []
    taken: set[int] = set()

    def add(i: int, n: int, kind: str, evidence: str, public: bool | None, why: str) -> None:
        if any(k in taken for k in range(i, i + n)):
            return
        taken.update(range(i, i + n))
        start, end = tokens[i].start, tokens[i + n - 1].end
        found.append(Name(start, end, text[start:end], kind, evidence, public, why))

    for parts in person_tags:
        wanted = {p for p in parts}
        for i, tok in enumerate(tokens):
            if tok.key in wanted:
                n = 1
                while i + n < len(tokens) and tokens[i + n].key in wanted and n < len(parts):
                    n += 1
                tag = ", ".join(parts)
                add(
                    i,
                    n,
                    "person tag",
                    f"person tag {tag}",
                    True,
                    "public role: named in an official-visit tag",
                )

    for i in range(len(tokens)):
        if i in taken:
            continue
        title = _title_before(tokens, i, text)
        if title is None:
            continue
        n = _run(tokens, i, upper, text)
        if not n:
            continue
        phrase, office = title
        if office:
            add(i, n, "title", f"after {phrase}", True, f"public role: {phrase}")
        else:
            role = _private_role_before(tokens, i)
            why = f"private: {role}" if role else f"private: courtesy title {phrase} only, no office"
            add(i, n, "title", f"after {phrase}", False, why)

    for i in range(len(tokens)):
        if i in taken:
            continue
        n = _run(tokens, i, upper, text)
        if not n:
            continue
        after = tokens[i + n] if i + n < len(tokens) else None
        role = _private_role_before(tokens, i)
        if after is not None and after.key in SPEECH and text[tokens[i + n - 1].end : after.start] == " ":
            if upper or not _sentence_start(text, tokens[i]) or n > 1 or _not_common_start(tokens[i]):
                add(
                    i,
                    n,
                    "speech",
                    f"{after.text.lower()} after the name",
                    False if role else None,
                    f"private: {role}" if role else "no office given",
                )
                continue
        gap_after = text[tokens[i + n - 1].end : tokens[i + n - 1].end + 2]
        if n > 1 and tokens[i].key in GIVEN_NAMES:
            add(
                i,
                n,
                "given name",
                f"starts with the given name {tokens[i].text}",
                False if role else None,
                f"private: {role}" if role else "no office given",
            )
            continue
        if i and tokens[i - 1].key in PRIVATE_ROLES and text[tokens[i - 1].end : tokens[i].start] == " ":
            add(i, n, "title", f"after {tokens[i - 1].text}", False, f"private: {tokens[i - 1].text}")
            continue
        last = n == 1 and i == len(tokens) - 1 and tokens[i].text.isalpha() and _vowel(tokens[i].text)
        if last and (
            (_sentence_start(text, tokens[i]) and tokens[i].text.isupper() and not upper)
            or text[: tokens[i].start].rstrip(" ").endswith("\n")
        ):
            add(i, n, "signature", "signs the message", True, "public role: the officer who signed the cable")
            continue
        possessive = gap_after[:2] in ("'s", "’s", ",s", "'S", "’S", ",S")
        if possessive and _vowel(tokens[i].text) and (upper or not _sentence_start(text, tokens[i])):
            add(
                i,
                n,
                "possessive",
                "a possessive after the name",
                False if role else None,
                f"private: {role}" if role else "no office given",
            )
            continue
    return sorted(found, key=lambda x: x.start)


# Sentence openers that a capitalised run may begin with without being a name.
_STARTERS = frozenset("the a an in on at as after before during with for but and when while".split())


def _vowel(word: str) -> bool:
    """Names have vowels; acronyms such as MDC, GCC or TGS often have none."""
    return any(c in "AEIOUYaeiouy" for c in word)


def _not_common_start(tok: _Tok) -> bool:
    return tok.text.lower() not in _STARTERS and tok.key not in EXCLUDED


def find_names(text: str, *, tags: Sequence[str] = (), context: Iterable[str] = ()) -> list[Name]:
    """Every name in text, without overlaps, in order. context: the cable's other texts (its
    subject, other portions); a name found there by its own evidence is found here again."""
    return names_in_cable([*context, text], tags)[-1]


def names_in_cable(texts: Sequence[str], tags: Sequence[str] = ()) -> list[list[Name]]:
    """The names of each of a cable's texts (its portions), each text read once: a name found in
    one text by its own evidence is found again wherever it recurs ("repeat")."""
    person_tags = _person_tags(tags)
    detected = [_detect(text, person_tags) for text in texts]
    known: dict[str, Name] = {}
    for names in detected:
        for name in names:
            for word in re.split(r"[\s-]+", name.text) + name.text.split():
                key = word.upper().strip(".,")
                if len(key) > 2 and key not in EXCLUDED and key.lower() not in PARTICLES:
                    best = known.get(key)
                    if best is None or (best.public is None and name.public is not None):
                        known[key] = name
    return [_with_repeats(text, names, known) for text, names in zip(texts, detected, strict=True)]


def _with_repeats(text: str, names: list[Name], known: dict[str, Name]) -> list[Name]:
    names = list(names)
    covered = [(n.start, n.end) for n in names]
    upper = _is_upper(text)
    for tok in _tokens(text):
        first = known.get(tok.key)
        if first is None or any(s < tok.end and tok.start < e for s, e in covered):
            continue
        if not upper and not tok.text[0].isupper():
            continue
        why = first.why if first.public is not None else "no office given"
        evidence = f"repeats {first.text} ({first.evidence})"
        names.append(Name(tok.start, tok.end, tok.text, "repeat", evidence, first.public, why))
        covered.append((tok.start, tok.end))
    # A name found without an office takes the one given to the same name elsewhere in the cable.
    out = []
    for name in names:
        if name.public is None:
            for word in name.text.split():
                other = known.get(word.upper().strip(".,"))
                if other is not None and other.public is not None:
                    name = replace(name, public=other.public, why=f"{other.why} ({other.text})")
                    break
        out.append(name)
    return sorted(out, key=lambda n: n.start)


# Source-protection markers: "(strictly protect)", "(protect)", "(please protect)",
# "(Amcit, strictly protect)", "(STRICTLY PROTECT THROUGHOUT)". "Protect accordingly" is the SBU
# handling line, and "protect" as a verb in running text is not a marker.
PROTECT_RE = re.compile(
    r"\((?P<inner>[^()]{0,40}?\b(?P<strict>strictly\s+|please\s+)?protect\b(?!\s+accordingly)[^()]{0,40})\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Protect:
    start: int
    end: int
    text: str
    strict: bool


def find_protect_markers(text: str) -> list[Protect]:
    return [
        Protect(m.start(), m.end(), m.group(0), "strictly" in m.group("inner").lower())
        for m in PROTECT_RE.finditer(text)
    ]


PRESS_REDACTION = re.compile(r"[Xx]{6,}")


def protected_name(text: str, marker: Protect, names: Sequence[Name]) -> tuple[int, int, str] | None:
    """The name a PROTECT marker protects: the nearest name (or press redaction) ending within 80
    characters before it, else one inside the marker ("(Strictly protect xxxxxxxxxxxx.)")."""
    inside = [n for n in names if marker.start <= n.start < marker.end]
    inside += [_span(m) for m in PRESS_REDACTION.finditer(text, marker.start, marker.end)]  # type: ignore[misc]
    before = [n for n in names if n.end <= marker.start and marker.start - n.end <= 80]
    redactions = [m for m in PRESS_REDACTION.finditer(text, max(0, marker.start - 80), marker.start)]
    candidates = [(n.start, n.end, n.text) for n in before] + [
        (m.start(), m.end(), m.group(0)) for m in redactions
    ]
    if candidates:
        return max(candidates, key=lambda c: c[1])
    # Else the capitalised words right before the marker: "Ricard (strictly protect) told us".
    tokens = [t for t in _tokens(text[: marker.start]) if t.end > marker.start - 60]
    upper = _is_upper(text)
    run: list[_Tok] = []
    for tok in reversed(tokens):
        gap = text[tok.end : (run[0].start if run else marker.start)]
        if gap.strip(" ,") or not _name_word(tok, upper):
            break
        run.insert(0, tok)
    if run:
        return run[0].start, run[-1].end, text[run[0].start : run[-1].end]
    for item in inside:
        if isinstance(item, Name):
            return item.start, item.end, item.text
        return item
    return None


def _span(m: re.Match[str]) -> tuple[int, int, str]:
    return m.start(), m.end(), m.group(0)
