"""Plan items get their texts in English (`title_en`, `why_en`, `source_en`; blank shows the bokmål).

The items there already are get them from the stored results: an obligation from the newest version of its
assessment whose result lists that obligation, a measure its why (the what-if's English note) from the newest
version whose what-if names it, and the what-if's source. A measure's English title needs the questionnaire's
labels and is left blank (the page shows the bokmål title); the next submission fills it. An item carried to a
replacement that has no version yet gets the texts of the item it was copied from.
"""

from django.db import migrations, models

WHAT_IF_SOURCE_EN = "The what-if analysis in KI-veileder"
ENGLISH_QUOTES = str.maketrans({"«": "“", "»": "”"})
CHUNK = 500


def _english_texts(versions) -> dict[str, dict]:
    """key -> English texts, from (obligations, what_if) of the versions, newest first."""
    texts: dict[str, dict] = {}
    for obligations, what_if in versions:
        for obligation in obligations or []:
            key = f"obligation:{obligation.get('code')}"
            texts.setdefault(key, {
                "title_en": (obligation.get("title_en") or "")[:300],
                "why_en": (obligation.get("why_en") or "").translate(ENGLISH_QUOTES),
                "source_en": (obligation.get("source_en") or "")[:300],
            })  # fmt: skip
        what_if = what_if or {}
        for change in what_if.get("changes") or []:
            key = f"measure:{change.get('key')}"
            note = (what_if.get("note_en") or "").translate(ENGLISH_QUOTES)
            texts.setdefault(key, {"title_en": "", "why_en": note, "source_en": WHAT_IF_SOURCE_EN})
    return texts


def fill_english(apps, schema_editor):
    PlanItem = apps.get_model("assessments", "PlanItem")
    AssessmentVersion = apps.get_model("assessments", "AssessmentVersion")
    pending = PlanItem.objects.filter(title_en="", why_en="", source_en="")
    assessment_ids = sorted(set(pending.values_list("assessment_id", flat=True)))
    for start in range(0, len(assessment_ids), CHUNK):
        changed = []
        for assessment_id in assessment_ids[start : start + CHUNK]:
            versions = (
                AssessmentVersion.objects.filter(assessment_id=assessment_id)
                .order_by("-number")
                .values_list("result__obligations", "result__what_if")
            )
            texts = _english_texts(versions)
            for item in pending.filter(assessment_id=assessment_id):
                found = texts.get(item.key)
                if found:
                    item.title_en, item.why_en, item.source_en = found["title_en"], found["why_en"], found["source_en"]
                    changed.append(item)
        PlanItem.objects.bulk_update(changed, ["title_en", "why_en", "source_en"], batch_size=CHUNK)
    _copy_to_carried(PlanItem)


def _copy_to_carried(PlanItem) -> None:
    """An item carried to a replacement assessment (a material change) that has no version yet gets the texts of
    the item it was copied from; oldest first, so a copy of a copy finds its source filled."""
    filled: dict[int, tuple] = {}
    changed = []
    carried = PlanItem.objects.filter(title_en="", why_en="", source_en="", carried_from__isnull=False)
    for item in carried.select_related("carried_from").order_by("pk").iterator(chunk_size=CHUNK):
        source = item.carried_from
        texts = filled.get(source.pk) or (source.title_en, source.why_en, source.source_en)
        if any(texts):
            item.title_en, item.why_en, item.source_en = texts
            filled[item.pk] = texts
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["title_en", "why_en", "source_en"], batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0027_register_by_tool"),
    ]

    operations = [
        migrations.AddField(
            model_name="planitem",
            name="title_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="tittel på engelsk"),
        ),
        migrations.AddField(
            model_name="planitem",
            name="why_en",
            field=models.TextField(blank=True, verbose_name="hvorfor på engelsk"),
        ),
        migrations.AddField(
            model_name="planitem",
            name="source_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="kilde på engelsk"),
        ),
        migrations.RunPython(fill_english, migrations.RunPython.noop, elidable=True),
    ]
