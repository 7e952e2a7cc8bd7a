// Progressive enhancement only: every flow works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Put focus on the error summary after a failed submit, so screen readers announce it and the first
  // error link is one Tab away.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    // A link in the summary puts the focus in its field (a fragment link alone only scrolls), opening
    // the folded section the field sits in.
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) return;
      event.preventDefault();
      for (let node = field.parentElement; node; node = node.parentElement) {
        if (node.tagName === "DETAILS") node.open = true;
      }
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  // Announce the page's messages ("Lagret kl. …"): the status region is in the page from the start, and
  // its content is put in after load, so screen readers hear the change (a region that arrives with its
  // text already in it is not announced). Without JavaScript the messages are simply shown.
  const region = document.querySelector("[data-live-messages]");
  const pending = document.querySelector("template[data-messages]");
  if (region && pending) {
    window.setTimeout(() => region.appendChild(pending.content.cloneNode(true)), 150);
  }

  // A visible character counter instead of a silent maxlength: the form still refuses text that is too
  // long, and says so, keeping what was typed.
  const body = document.body;
  const left = body.dataset.countLeft || "{n}";
  const over = body.dataset.countOver || "-{n}";
  document.querySelectorAll("[data-max-length]").forEach((field) => {
    const limit = parseInt(field.dataset.maxLength, 10);
    const counter = document.getElementById(`${field.id}_count`) || document.getElementById(`${field.id}-count`);
    if (!limit || !counter) return;
    const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (!described.includes(counter.id)) field.setAttribute("aria-describedby", [...described, counter.id].join(" "));
    const update = () => {
      // Characters as the server counts them (code points): an emoji is one, not two UTF-16 units.
      const length = [...field.value.replace(/\r\n/g, "\n")].length;
      const rest = limit - length;
      counter.textContent = (rest >= 0 ? left : over).replace("{n}", String(Math.abs(rest)));
      counter.classList.toggle("error-text", rest < 0);
    };
    field.addEventListener("input", update);
    update();
  });

  // A question shown only for some answer to another question on the same step (data-shown-when, made by
  // forms.SectionForm) is hidden while that answer is not given. The engine leaves an answer to a hidden
  // question out, so this only spares the reader a question that would not count; without JavaScript it
  // stays shown, and its label says when it applies. As in the engine, an absent answer makes every comparison
  // false, and a hidden question's answer counts as absent (so the questions are updated in page order).
  const answerOf = (form, name) => {
    const inputs = [...form.elements].filter((el) => el.name === name);
    const question = inputs.length ? inputs[0].closest(".question") : null;
    if (question && question.hidden) return [];
    return inputs
      .filter((el) => (el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== ""))
      .map((el) => el.value);
  };
  const holds = (rule, answer) => {
    const one = answer.length === 1 ? answer[0] : null;
    if (!answer.length) return false;
    if (rule.eq) return one === rule.eq[0];
    if (rule.ne) return one !== rule.ne[0];
    if (rule.in) return rule.in.includes(one);
    if (rule.not_in) return !rule.not_in.includes(one);
    if (rule.has) return answer.includes(rule.has[0]);
    if (rule.has_any) return answer.some((value) => rule.has_any.includes(value));
    return true;
  };
  const dependents = [];
  document.querySelectorAll("[data-shown-when]").forEach((question) => {
    const form = question.closest("form");
    try {
      const rule = JSON.parse(question.dataset.shownWhen);
      if (form && rule.name) dependents.push({ question, form, rule });
    } catch {
      // a condition the page cannot read leaves the question shown
    }
  });
  // A question that appears after the one just answered is said aloud (a screen reader would not notice it): the
  // region is in the page before its text changes, so the change is announced.
  let announcer = null;
  if (dependents.length) {
    announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    document.body.appendChild(announcer);
  }
  const updateAll = (event) => {
    let appeared = false;
    dependents.forEach(({ question, form, rule }) => {
      const hidden = !holds(rule, answerOf(form, rule.name));
      appeared = appeared || (question.hidden && !hidden);
      question.hidden = hidden;
      // A question required exactly when shown says so as soon as it is shown (the server marks it after a save).
      question.querySelectorAll("[data-required-when-shown]").forEach((marker) => {
        marker.hidden = hidden;
      });
    });
    if (event && appeared && announcer) {
      announcer.textContent = ""; // the same words again must still be a change
      window.setTimeout(() => {
        announcer.textContent = body.dataset.followUp || "";
      }, 100);
    }
  };
  new Set(dependents.map(({ form }) => form)).forEach((form) => form.addEventListener("change", updateAll));
  updateAll();

  // A double click sends a form twice, and a form that creates something (a new assessment, an import) then
  // creates two. A second send of the same form within a few seconds is dropped; after that a person who
  // waited on a slow answer may send again. Buttons are not disabled: the clicked button's name and value
  // (the wizard's "save" or "next") must go with the first send.
  const RESEND_AFTER_MS = 5000;
  const postForms = document.querySelectorAll("form[method='post' i]");
  postForms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      const now = Date.now();
      if (now - Number(form.dataset.sentAt || 0) < RESEND_AFTER_MS) {
        event.preventDefault();
        return;
      }
      form.dataset.sentAt = String(now);
    });
  });
  // A page shown again by the back button keeps its state: a form sent from it before may be sent again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) postForms.forEach((form) => delete form.dataset.sentAt);
  });

  // A form that saves only when it is sent (a wizard step) asks before the page is left with changes in it:
  // a link in the header or the browser's back button would otherwise drop them without a word. Sending
  // the form (any of its buttons, the step list's among them) saves, so it asks nothing then. A form shown
  // again after a refused save ("kept") holds input that was not saved from the start; its own link to go on
  // without saving (data-leave-unsaved) is the person's choice, so that one asks nothing either.
  document.querySelectorAll("form[data-warn-unsaved]").forEach((form) => {
    let changed = form.dataset.warnUnsaved === "kept";
    form.addEventListener("input", () => { changed = true; });
    form.addEventListener("change", () => { changed = true; });
    form.addEventListener("submit", () => { changed = false; });
    document.querySelectorAll("a[data-leave-unsaved]").forEach((link) => {
      link.addEventListener("click", () => { changed = false; });
    });
    window.addEventListener("beforeunload", (event) => {
      if (!changed) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers show their own text; none shows ours
    });
  });
});
