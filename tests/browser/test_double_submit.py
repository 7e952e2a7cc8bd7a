"""static/js/app.js: a form sent a second time within a few seconds (a double click) is not sent again, in Chromium.
The clicked button's name and value still go with the first send (buttons are not disabled)."""

import pytest

pytestmark = [pytest.mark.browser]

# Counts the sends the page's own script lets through; the test's listener, added after the page's, stops the
# navigation so both attempts happen on the same page.
COUNT_SENDS = """() => {
  const form = document.querySelector("main form[method='post' i]");
  const sends = [];
  form.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) {
      const data = new FormData(form, event.submitter);
      sends.push({ title: data.get("title"), submitter: event.submitter === button });
    }
    event.preventDefault();
  });
  const button = form.querySelector("button[type='submit']");
  form.requestSubmit(button);
  form.requestSubmit(button);
  return sends;
}"""


def test_a_second_send_of_the_same_form_within_seconds_is_dropped(session, world, questionnaire):
    leader = session.signed_in("leader_a")
    leader.goto("/vurderinger/ny/")
    leader.get_by_label("Hva heter tiltaket?").fill("Chat for barnehageplass")
    sends = leader.evaluate(COUNT_SENDS)
    # One send, with the form's data and the clicked button (not disabled: its name and value go with it).
    assert sends == [{"title": "Chat for barnehageplass", "submitter": True}]
