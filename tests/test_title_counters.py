"""The title fields of "Ny vurdering" and the import show a counter instead of a silent `maxlength`."""

import pytest


@pytest.mark.parametrize("url", ["/vurderinger/ny/", "/vurderinger/importer/"])
def test_the_title_field_has_a_counter_and_no_maxlength(world, url):
    page = world.client("leader_a").get(url).content.decode()
    field = page[page.index('name="title"') - 300 : page.index('name="title"') + 300]
    assert "maxlength" not in field
    assert 'data-max-length="200"' in field
    assert 'id="id_title_count"' in page


def test_a_too_long_title_is_refused_and_kept(world):
    response = world.client("leader_a").post("/vurderinger/ny/", {"agency": world.agency_a.pk, "title": "x" * 201})
    assert response.status_code == 400
    assert "x" * 201 in response.content.decode()
