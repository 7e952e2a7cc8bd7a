"""Where a button on a wizard step leads (AssessmentWizard); the step URLs are built in presentation/links.py.

"Lagre og fortsett" goes to the next shown step, or back to the summary when the step was opened from the
summary's list of missing answers (`step_url(..., back_to_summary=True)`: the query `?tilbake=summary`, which
the form keeps because it posts to its own URL); "Lagre og gå tilbake" to the previous step; "Lagre" stays; a
step in the progress list is a jump. A step that did not validate offers to go on without saving
(`_target_url`).
"""

from assessments.presentation.links import RETURN_PARAM, SUMMARY, step_url


class WizardNavigationMixin:
    def navigation(self) -> tuple[str, str | None]:
        target = self.request.POST.get("wizard_goto_step")
        if target:
            return "goto", target
        action = self.request.POST.get("action")
        return (action if action in ("prev", "save") else "next"), None

    def destination_url(self, step: str, nav: str, target: str | None) -> str:
        """Where a saved step goes; "Lagre" on a step opened from the summary stays and keeps the way back."""
        destination = self._destination(step, nav, target)
        keep_way_back = destination == step and self._returns_to_summary()
        return step_url(self.assessment, destination, back_to_summary=keep_way_back)

    def _destination(self, step: str, nav: str, target: str | None) -> str:
        keys = list(self.get_form_list())
        index = keys.index(step)
        if nav == "next" and self._returns_to_summary():
            return SUMMARY
        if nav == "next":
            return keys[index + 1]
        if nav == "prev":
            return keys[max(0, index - 1)]
        if nav == "goto" and target in self.reachable_steps():
            return target
        return step

    def _returns_to_summary(self) -> bool:
        """Opened from the summary's list of missing answers (kept by the form, which posts to its own URL):
        "save and continue" goes back there."""
        return self.request.GET.get(RETURN_PARAM) == SUMMARY and SUMMARY in self.reachable_steps()

    def _target_url(self, step: str, nav: str, target: str | None) -> str | None:
        """Where the user wanted to go when the step did not validate (offered as 'go without saving')."""
        if nav == "save":
            return None
        destination = target if nav == "goto" else self._destination(step, nav, None)
        if destination == step or destination not in self.reachable_steps():
            return None
        return self.get_step_url(destination)
