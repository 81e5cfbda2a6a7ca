"""Names and places of the synthetic cohort (data only)."""

from __future__ import annotations

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Amara", "Adebayo", "Chidi", "Ngozi", "Kwame", "Abena", "Tariq", "Yusuf", "Fatima",
    "Omar", "Layla", "Hana", "Karim", "Leila", "Priya", "Arjun", "Rohan", "Ananya", "Vikram",
    "Meera", "Sanjay", "Kavya", "Nikhil", "Deepa", "Rahul", "Farhan", "Sana", "Imran", "Mei",
    "Wei", "Jun", "Xiaoling", "Hao", "Yan", "Li", "Na", "Kenji", "Yuki", "Haruto", "Sakura",
    "Min-jun", "Ji-woo", "Seo-yeon", "Minh", "Linh", "Thao", "Quang", "Mai", "Bao", "Maria",
    "José", "Carlos", "Lucia", "Alejandro", "Sofia", "Diego", "Valentina", "Mateo", "Camila",
    "Javier", "Gabriela", "Luis", "Paola", "Rafael", "Ana", "João", "Beatriz", "Tomasz",
    "Katarzyna", "Piotr", "Olga", "Dmitri", "Anya", "Ivan", "Elena", "Nikos", "Eleni", "Giulia",
    "Marco", "Francesca", "Luca", "Sean", "Siobhan", "Liam", "Aoife", "Emily", "James", "Sarah",
    "Michael", "Rebecca", "David", "Laura", "Daniel", "Rachel", "Matthew", "Hannah", "Benjamin",
    "Grace", "Nathan", "Claire", "Ethan", "Olivia", "Noah", "Abigail", "Marcus", "Keisha", "Jamal",
    "Tanisha", "Andre", "Monique", "Darnell", "Jasmine", "Malik", "Imani", "Tyrone", "Ebony",
    "Alma", "Rosa", "Miguel", "Esperanza", "Noa", "Avi", "Talia", "Ezra", "Miriam", "Jonah",
    "Tala", "Kai", "Leilani", "Makoa", "Chayton", "Winona", "Dakota", "Aylin", "Emre", "Selin",
    "Amir", "Dariush", "Shirin", "Reza",
)

LAST_NAMES: tuple[str, ...] = (
    "Okafor", "Adeyemi", "Mensah", "Owusu", "Nwosu", "Abiodun", "Bello", "Haile", "Tesfaye",
    "Kamau", "Njoroge", "Diallo", "Traore", "Haddad", "Khalil", "Nasser", "Farouk", "Hussein",
    "Mansour", "Aziz", "Rahman", "Chowdhury", "Siddiqui", "Qureshi", "Malik", "Patel", "Shah",
    "Iyer", "Reddy", "Nair", "Menon", "Gupta", "Sharma", "Desai", "Kulkarni", "Banerjee", "Mehta",
    "Raman", "Kapoor", "Chen", "Wang", "Liu", "Zhang", "Huang", "Lin", "Zhao", "Wu", "Tanaka",
    "Sato", "Nakamura", "Kobayashi", "Kim", "Park", "Lee", "Choi", "Jung", "Nguyen", "Tran",
    "Pham", "Le", "Hoang", "Vu", "Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
    "Flores", "Rivera", "Morales", "Ortiz", "Castillo", "Mendoza", "Silva", "Oliveira", "Costa",
    "Kowalski", "Nowak", "Wisniewski", "Ivanova", "Petrov", "Volkov", "Papadopoulos", "Russo",
    "Romano", "Ricci", "Bianchi", "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Smith",
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
    "Parker", "Collins", "Edwards", "Stewart", "Morris", "Rogers", "Cohen", "Levi", "Friedman",
    "Goldberg", "Katz", "Begay", "Yazzie", "Tsosie", "Kahale", "Akana", "Yilmaz", "Demir", "Kaya",
    "Hosseini", "Karimi", "Ahmadi", "Jensen", "Larsen", "Nielsen", "Schmidt", "Müller", "Weber",
    "Fischer", "Novak", "Horvat",
)
# fmt: on

CAMPUSES: tuple[tuple[str, str, int], ...] = (
    ("Chicago, IL (main campus)", "America/Chicago", 46),
    ("Evanston, IL", "America/Chicago", 12),
    ("Pittsburgh, PA", "America/New_York", 12),
    ("Detroit, MI", "America/Detroit", 9),
    ("Denver, CO", "America/Denver", 11),
    ("Sacramento, CA", "America/Los_Angeles", 10),
)
"""Program sites: (location, IANA timezone, share of faculty in percent, roughly)."""

UNDERGRAD_SITES: tuple[tuple[str, str], ...] = (
    ("Urbana, IL", "America/Chicago"),
    ("Madison, WI", "America/Chicago"),
    ("Boulder, CO", "America/Denver"),
)
"""Where premedical students in the pipeline program study."""

SECOND_LANGUAGES: tuple[tuple[str, int], ...] = (
    ("spanish", 30),
    ("mandarin", 9),
    ("hindi", 8),
    ("arabic", 7),
    ("french", 6),
    ("vietnamese", 6),
    ("tagalog", 6),
    ("korean", 5),
    ("urdu", 4),
    ("portuguese", 4),
    ("russian", 3),
    ("gujarati", 3),
    ("cantonese", 3),
    ("polish", 3),
    ("farsi", 3),
    ("yoruba", 2),
    ("amharic", 2),
    ("american sign language", 2),
)
"""Languages besides English, with relative weights."""
