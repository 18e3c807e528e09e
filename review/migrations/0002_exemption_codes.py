"""The controlled vocabulary of exemption codes (docs/domain.md, "Decisions and exemption codes")."""

from django.db import migrations

FOIA = [
    ("B1", "Classified under an executive order (cite the E.O. 13526 section 1.4 categories)"),
    ("B2", "Internal personnel rules and practices"),
    ("B3 FS ACT", "Exempted by statute: Foreign Service Act"),
    ("B3 INA", "Exempted by statute: Immigration and Nationality Act"),
    ("B3 ARMSEXP", "Exempted by statute: Arms Export Control Act"),
    ("B3 CIA PERS/ORG", "Exempted by statute: CIA Act, personnel and organisation"),
    ("B3 NATSEC", "Exempted by statute: National Security Act, intelligence sources and methods"),
    ("B4", "Trade secrets and confidential commercial information"),
    ("B5", "Deliberative process or other privilege"),
    ("B6", "Personal privacy"),
    ("B7(A)", "Law enforcement: interference with proceedings"),
    ("B7(B)", "Law enforcement: deprivation of a fair trial"),
    ("B7(C)", "Law enforcement: personal privacy"),
    ("B7(D)", "Law enforcement: confidential source"),
    ("B7(E)", "Law enforcement: techniques and procedures"),
    ("B7(F)", "Law enforcement: life or physical safety"),
    ("B8", "Financial institutions"),
    ("B9", "Geological information on wells"),
]
CATEGORIES = [
    ("1.4(a)", "Military plans, weapons systems, or operations"),
    ("1.4(b)", "Foreign government information"),
    ("1.4(c)", "Intelligence activities, sources or methods, or cryptology"),
    ("1.4(d)", "Foreign relations or foreign activities of the US, including confidential sources"),
    ("1.4(e)", "Scientific, technological or economic matters relating to national security"),
    ("1.4(f)", "Programs for safeguarding nuclear materials or facilities"),
    ("1.4(g)", "Vulnerabilities or capabilities of systems, installations, infrastructures, projects, "
     "plans, or protection services"),
    ("1.4(h)", "Weapons of mass destruction"),
]
EXEMPT_25X = [
    ("25X1", "Would reveal the identity of a confidential human source or intelligence methods"),
    ("25X2", "Would assist in the development or use of weapons of mass destruction"),
    ("25X3", "Would impair US cryptologic systems or activities"),
    ("25X4", "Would impair the application of state-of-the-art technology within a US weapon system"),
    ("25X5", "Would reveal formally named or numbered US military war plans still in effect"),
    ("25X6", "Would cause serious harm to relations between the US and a foreign government"),
    ("25X7", "Would impair the protection of the President and other protectees"),
    ("25X8", "Would impair emergency preparedness or reveal vulnerabilities of systems"),
    ("25X9", "Would violate a statute, treaty, or international agreement"),
]
EXEMPT_50X = [
    ("50X1-HUM", "Would reveal the identity of a confidential human source or a human intelligence source"),
    ("50X2-WMD", "Would reveal key design concepts of weapons of mass destruction"),
]


def load(apps, schema_editor):
    ExemptionCode = apps.get_model("review", "ExemptionCode")
    order = 0
    for kind, rows in (("foia", FOIA), ("category", CATEGORIES), ("25x", EXEMPT_25X), ("50x", EXEMPT_50X)):
        for code, title in rows:
            order += 1
            ExemptionCode.objects.update_or_create(code=code, defaults={"kind": kind, "title": title, "order": order})


def unload(apps, schema_editor):
    apps.get_model("review", "ExemptionCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
