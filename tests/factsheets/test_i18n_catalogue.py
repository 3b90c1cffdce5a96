"""The Spanish catalogue covers every chrome string the public templates mark for translation."""

import ast
import re

from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

TEMPLATES = settings.BASE_DIR / "templates"
# The public pages; the staff screens (admin/, reviews/) are not translated yet.
PUBLIC_TEMPLATES = sorted([*TEMPLATES.glob("*.html"), *(TEMPLATES / "factsheets").glob("*.html")])
# The signed body of a sheet (_sheet_body.html) is among them: rendered once at submission in the language of
# its version, whatever the request's (tests/reviews/test_editions.py).
CATALOGUE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Translated with {% translate variable %}: the defaults of these settings must be in the catalogue.
SETTING_MSGIDS = {settings.FACTSHEETS_DISCLAIMER, settings.FACTSHEETS_SITE_NAME}


def template_msgids(path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every literal {% translate %} and {% blocktranslate %} in a template (plural forms
    included), read from Django's own parse of the template."""
    template = engines["django"].from_string(path.read_text()).template
    found = set()
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        literal = getattr(node.filter_expression.var, "literal", None)  # None: {% translate variable %}
        if isinstance(literal, str):
            found.add((node.message_context and node.message_context.var, str(literal)))
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        context = node.message_context and node.message_context.var
        found.add((context, node.render_token_list(node.singular)[0]))
        if node.plural:
            found.add((context, node.render_token_list(node.plural)[0]))
    return found


def parse_po(text: str) -> dict[tuple[str | None, str], dict]:
    """The entries of a PO file: (msgctxt, msgid) -> {"msgstr": [...], "fuzzy": bool}. Plural forms add their
    msgid_plural as a key of its own."""
    entries, entry, field = {}, None, None

    def close():
        if entry and "msgid" in entry:
            value = {"msgstr": [v for k, v in sorted(entry.items()) if k.startswith("msgstr")], "fuzzy": entry["fuzzy"]}
            entries[(entry.get("msgctxt"), entry["msgid"])] = value
            if "msgid_plural" in entry:
                entries[(entry.get("msgctxt"), entry["msgid_plural"])] = value

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            keyword, _, literal = line.partition(" ")
            field = re.sub(r"\[(\d)\]", r"\1", keyword)  # msgstr[0] -> msgstr0
            entry[field] = ast.literal_eval(literal)
    return entries


def test_public_templates_mark_chrome_for_translation():
    used = set().union(*(template_msgids(path) for path in PUBLIC_TEMPLATES))
    for expected in ["Skip to content", "Page not found", "This fact sheet has been withdrawn", "Next page"]:
        assert (None, expected) in used


def test_every_public_msgid_has_a_spanish_translation():
    catalogue = parse_po(CATALOGUE.read_text(encoding="utf-8"))
    used = set().union(*(template_msgids(path) for path in PUBLIC_TEMPLATES))
    used |= {(None, msgid) for msgid in SETTING_MSGIDS}
    missing = sorted(msgid for key in used if key not in catalogue for msgid in [key[1]])
    untranslated = sorted(
        key[1] for key in used if key in catalogue and (catalogue[key]["fuzzy"] or not all(catalogue[key]["msgstr"]))
    )
    assert not missing, f"not in {CATALOGUE.name}: {missing}"
    assert not untranslated, f"empty or fuzzy Spanish translation: {untranslated}"


def test_catalogue_check_catches_an_untranslated_string(tmp_path):
    template = tmp_path / "new.html"
    template.write_text('{% load i18n %}<p>{% translate "A brand-new notice" %}</p>')
    catalogue = parse_po('msgid "A brand-new notice"\nmsgstr ""\n\n#, fuzzy\nmsgid "Old"\nmsgstr "Viejo"\n')
    (key,) = template_msgids(template)
    assert key == (None, "A brand-new notice")
    assert catalogue[key]["msgstr"] == [""]
    assert catalogue[(None, "Old")]["fuzzy"]


def test_placeholders_survive_translation():
    for (_, msgid), entry in parse_po(CATALOGUE.read_text(encoding="utf-8")).items():
        for msgstr in entry["msgstr"]:
            if msgid and msgstr:
                assert set(re.findall(r"%\(\w+\)s", msgid)) <= set(re.findall(r"%\(\w+\)s", msgstr)) or (
                    "%(counter)s" in msgstr
                ), msgid
