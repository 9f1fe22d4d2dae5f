"""Fixed word lists that give the synthetic corpus its real-English skeleton.

Pseudo-words alone would make stop-word removal and stemming meaningless, and a
named-entity model would not recognise invented names without real cues. So the
generator mixes these real words in: function words (which analyzers drop), common
news words in several inflections (which stemmers fold together), real first names
and organisation/place affixes (which NER models key on). Order matters where noted:
it is the frequency rank the generator assigns.
"""

from __future__ import annotations

# Roughly in English frequency order: index 0 is drawn most often.
FUNCTION_WORDS: tuple[str, ...] = (
    "the", "of", "and", "to", "a", "in", "that", "is", "for", "it", "was", "on", "with", "as",
    "he", "be", "by", "at", "his", "are", "from", "have", "this", "has", "not", "but", "had",
    "they", "were", "will", "or", "an", "which", "their", "been", "would", "she", "her", "its",
    "who", "we", "after", "there", "more", "one", "all", "also", "about", "can", "than", "into",
    "up", "out", "when", "if", "could", "two", "other", "over", "new", "some", "no", "him",
    "so", "what", "only", "most", "them", "may", "these", "first", "those", "such", "under",
    "while", "where", "before", "between", "against", "during", "since", "because", "both",
    "many", "each", "should", "then", "through", "any", "just", "until", "three", "very",
    "much", "how", "being", "our", "your", "own", "same", "here", "well",
    "still", "even", "back", "down", "off", "again", "further", "once", "few",
    "another", "however", "although", "though", "whether", "without", "within", "among",
    "around", "across", "along", "toward", "towards", "upon", "behind", "beyond", "near",
    "above", "below", "did", "does", "do", "made", "make", "us", "yet", "nor", "every",
    "either", "neither", "per", "via", "despite", "amid",
)

# Common news vocabulary, several inflections per stem so stemming has work to do.
NEWS_WORDS: tuple[str, ...] = (
    "said", "says", "say", "saying", "government", "governments", "governor", "minister",
    "ministers", "ministry", "president", "presidential", "presidency", "election", "elections",
    "elected", "elect", "electing", "vote", "votes", "voted", "voting", "voter", "voters",
    "police", "policeman", "officer", "officers", "official", "officials", "report", "reports",
    "reported", "reporting", "reporter", "reporters", "year", "years", "month", "months",
    "week", "weeks", "day", "days", "today", "yesterday", "tomorrow", "people", "country",
    "countries", "city", "cities", "state", "states", "region", "regional", "national",
    "international", "local", "company", "companies", "market", "markets", "economy",
    "economic", "economist", "economists", "price", "prices", "rise", "rises", "rising", "rose",
    "fall", "falls", "falling", "fell", "growth", "grow", "grew", "growing", "bank", "banks",
    "banking", "financial", "finance", "budget", "budgets", "tax", "taxes", "taxation", "plan",
    "plans", "planned", "planning", "policy", "policies", "law", "laws", "court", "courts",
    "judge", "judges", "trial", "trials", "case", "cases", "charge", "charges", "charged",
    "arrest", "arrests", "arrested", "investigation", "investigations", "investigate",
    "investigated", "war", "wars", "military", "army", "troops", "attack", "attacks",
    "attacked", "security", "peace", "talks", "agreement", "agreements", "agree", "agreed",
    "deal", "deals", "trade", "trading", "trader", "traders", "export", "exports", "import",
    "imports", "oil", "gas", "energy", "power", "water", "health", "hospital", "hospitals",
    "doctor", "doctors", "patient", "patients", "school", "schools", "student", "students",
    "university", "teacher", "teachers", "worker", "workers", "work", "working", "job", "jobs",
    "unemployment", "strike", "strikes", "protest", "protests", "protesters", "protested",
    "crisis", "crises", "council", "councils", "parliament", "parliamentary", "party",
    "parties", "leader", "leaders", "leadership", "support", "supported", "supporting",
    "supporters", "campaign", "campaigns", "spokesman", "spokeswoman", "spokesperson",
    "statement", "statements", "announce", "announced", "announcement", "announcements",
    "decision", "decisions", "decide", "decided", "meeting", "meetings", "meet", "met", "visit",
    "visited", "visiting", "border", "borders", "refugee", "refugees", "migrant", "migrants",
    "climate", "weather", "storm", "storms", "flood", "floods", "flooding", "fire", "fires",
    "damage", "damaged", "accident", "accidents", "killed", "killing", "injured", "dead",
    "death", "deaths", "million", "millions", "billion", "billions", "percent", "number",
    "numbers", "record", "records", "increase", "increased", "increasing", "decrease",
    "decreased", "cut", "cuts", "cutting", "rate", "rates", "public", "private", "social",
    "service", "services", "project", "projects", "development", "developed", "industry",
    "industrial", "production", "produce", "produced", "technology", "technologies",
    "company's", "investors", "investment", "investments", "share", "shares", "stock", "stocks",
    "profit", "profits", "loss", "losses", "sales", "sold", "sell", "selling", "buy", "bought",
    "buying",
)

# Real given names, international: they are what lets an NER model tag "Anna Korvel".
FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Maria", "Elena", "Sofia", "Laura", "Clara", "Julia", "Marta", "Eva", "Olga",
    "Irina", "Natalia", "Vera", "Lena", "Sara", "Hana", "Amira", "Leila", "Fatima", "Aisha",
    "Mei", "Yuki", "Priya", "Anjali", "Ingrid", "Astrid", "Greta", "Helena", "Isabel", "Lucia",
    "Carmen", "Rosa", "Ana", "Paula", "Chiara", "Giulia", "Nadia", "Daria", "Katya", "Mila",
    "Emma", "Olivia", "Grace", "Alice", "Claire", "Rachel", "Sarah", "Hannah", "Rebecca",
    "Emily", "Charlotte", "Lucy", "Catherine", "Margaret", "Susan", "Karen", "Linda",
    "Patricia", "Nora", "Ruth", "Diana", "Fiona", "Joanna", "Zofia", "Agnieszka", "Beata",
    "Petra", "Jana", "Lucie", "Tereza", "Ilse", "Marit", "Sigrid", "Tove", "Lotte", "Femke",
    "John", "James", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Charles",
    "Daniel", "Peter", "Paul", "Mark", "George", "Andrew", "Edward", "Henry", "Simon", "Martin",
    "Stefan", "Lukas", "Jan", "Piotr", "Pavel", "Ivan", "Sergei", "Dmitri", "Mikhail", "Alexei",
    "Viktor", "Oleg", "Andrei", "Nikolai", "Boris", "Marek", "Tomasz", "Karol", "Milan",
    "Josef", "Karel", "Hans", "Klaus", "Jurgen", "Dieter", "Wolfgang", "Franz", "Erik", "Lars",
    "Nils", "Olaf", "Sven", "Anders", "Jonas", "Mats", "Pierre", "Jacques", "Louis", "Francois",
    "Antoine", "Marco", "Luca", "Matteo", "Giovanni", "Carlos", "Jose", "Juan", "Miguel",
    "Pedro", "Luis", "Diego", "Rafael", "Ahmed", "Omar", "Hassan", "Karim", "Tariq", "Yusuf",
    "Ali", "Mustafa", "Ibrahim", "Kenji", "Hiroshi", "Takeshi", "Wei", "Chen", "Jun", "Rahul",
    "Arjun", "Vikram", "Sanjay", "Kwame", "Kofi", "Tunde", "Chidi", "Samuel", "Joseph",
    "Benjamin", "Nathan", "Adam", "Oliver", "Jack", "Harry", "Leo", "Felix", "Hugo", "Oscar",
    "Victor", "Emil", "Anton",
)

# Domains for "Ministry of X" and "National X Agency": real words, as in real names.
MINISTRY_DOMAINS: tuple[str, ...] = (
    "Finance", "Defence", "Health", "Education", "Justice", "Agriculture", "Energy",
    "Transport", "Culture", "Labour", "Trade", "Industry", "Foreign Affairs",
    "Home Affairs", "the Interior", "Environment", "Housing", "Fisheries", "Tourism",
    "Communications", "Science", "Infrastructure", "Water Resources", "Mines",
    "Social Affairs", "Public Works", "Sport", "Youth", "Digital Affairs", "Economy",
    "Planning", "Veterans Affairs", "Immigration", "Forestry", "Customs", "Statistics",
)

# Suffixes that make "Stem Suffix" read as a company or body to humans and NER alike.
ORG_SUFFIXES: tuple[str, ...] = (
    "Corporation", "Holdings", "Group", "Bank", "Energy", "Airlines", "Motors",
    "Telecom", "Pharmaceuticals", "Party", "Institute", "Foundation", "Industries",
    "Mining", "Logistics", "Insurance", "Capital", "Systems", "Media", "Steel",
)

IDEOLOGIES: tuple[str, ...] = (
    "Democratic", "Liberal", "Progressive", "Conservative", "Green", "Labour",
    "Socialist", "Reform", "People's", "National", "Unity", "Freedom",
)

SURNAME_ENDINGS: tuple[str, ...] = (
    "", "", "", "el", "ov", "ova", "ski", "son", "er", "an", "ez", "ic", "ard",
    "en", "ani", "berg", "ton", "ek", "as", "ino",
)

PLACE_ENDINGS: tuple[str, ...] = (
    "", "", "ia", "ora", "burg", "ton", "ville", "stad", "mouth", "field", "grad",
    "abad", "polis", "a", "en", "ham", "dorf", "vik", "ino", "ar",
)

PLACE_PREFIXES: tuple[str, ...] = (
    "Port", "New", "San", "Lake", "North", "South", "East", "West", "Fort", "Mount",
    "Saint",
)

PLACE_SUFFIXES: tuple[str, ...] = ("City", "Bay", "Valley", "Springs", "Falls", "Heights")

PLACE_PREPOSITIONS: tuple[str, ...] = (
    "in", "in", "in", "from", "near", "across", "outside", "around", "to",
)

PERSON_ROLES: tuple[str, ...] = (
    "a spokesperson for", "the head of", "an adviser to", "a senior official at",
    "the chief executive of", "a member of", "a lawyer for", "an analyst at",
)

HEADLINE_LINKS: tuple[str, ...] = (
    "in", "of", "for", "to", "as", "after", "over", "amid", "on", "with", "and",
)

# Forty outlet names; their popularity order is shuffled per seed.
OUTLETS: tuple[str, ...] = (
    "The Daily Ledger", "Northern Wire", "The Evening Courier", "Metro Dispatch",
    "The Coastal Herald", "Southern Chronicle", "The Morning Gazette", "Capital Observer",
    "The Weekly Sentinel", "Valley Tribune", "The National Record", "Eastern Bulletin",
    "The Harbour Post", "Western Standard", "The City Examiner", "Frontier Journal",
    "The Independent Beacon", "Highland Register", "The Union Mirror", "Riverside Times",
    "The Globe Review", "Central Press", "The Republic Monitor", "Lakeside Echo",
    "The Continental", "Midland Courier", "The Public Ledger", "Atlantic Wire",
    "The Provincial Star", "Summit Daily", "The Free Voice", "Harbour Chronicle",
    "The Citizen Report", "Plains Gazette", "The Sunday Observer", "Island Herald",
    "The Market Signal", "Bridge Street Journal", "The Civic Times", "Northern Lantern",
)
