"""A tool overview version (models/catalogue.py) as JSON: the catalogue JSON for signed-in users and API tokens,
the public tool JSON and the innsyn copy of an entry. Keys are documented in docs/catalogue.md; what is exempt
from public access is left out afterwards by presentation/public_access.redact_tool.
"""

from assessments.labels import HOSTINGS, INFO_CLASSES, TOOL_STATUSES


def version_json(version, *, public_only: bool = False) -> dict:
    """One entry as the JSON shows it (keys documented in docs/catalogue.md)."""
    data = {
        "slug": version.entry.slug,
        "ref": version.ref,
        "version": version.number,
        "name": version.name,
        "vendor": version.vendor,
        "status": version.status,
        "status_label": TOOL_STATUSES.get(version.status, ""),
        "max_class": version.max_class,
        "max_class_label": str(INFO_CLASSES.get(version.max_class, "")),
        "personal_data_allowed": version.personal_data_allowed,
        "special_categories_allowed": version.special_categories_allowed,
        "guideline_url": version.guideline_url,
        "demo": version.entry.is_demo,
    }
    if public_only:
        return data
    data.update(
        {
            "edition": version.edition,
            "description": version.description,
            "generates_content": version.generates_content,
            "hosting": version.hosting or None,
            "hosting_label": str(HOSTINGS.get(version.hosting, "")),
            "dpa": version.dpa,
            "dpa_reference": version.dpa_reference,
            "dpa_valid_until": version.dpa_valid_until,
            "vendor_trains_on_inputs": version.vendor_trains_on_inputs,
            "enterprise_agreement": version.enterprise_agreement,
            "status_since": version.status_since,
            "approved_until": version.approved_until,
            "note": version.note,
            "changed_at": version.created_at,
        }
    )
    return data
