// Keyboard-wedge scanners: hardware scanners that "type" the code they read, then Enter.
//
// The field is an ordinary labelled text input inside a form, so the same field takes a
// code typed or pasted by hand. Each submission hands the code over, empties the field
// and puts the focus back, so the next badge can be scanned without touching the phone.

export class WedgeInput {
  /**
   * @param {object} options
   * @param {HTMLFormElement} options.form the form around the field (Enter submits it)
   * @param {HTMLInputElement} options.input the labelled text field
   * @param {(code: string) => void} options.onCode called with the trimmed code
   * @param {boolean} [options.keepFocus] put the focus back after each scan
   */
  constructor({form, input, onCode, keepFocus = true}) {
    this.form = form;
    this.input = input;
    this.onCode = onCode;
    this.keepFocus = keepFocus;
    // Scanners and phones must not "correct" a code.
    for (const [name, value] of [["autocomplete", "off"], ["autocapitalize", "off"],
      ["autocorrect", "off"], ["spellcheck", "false"], ["enterkeyhint", "go"]]) {
      if (!input.hasAttribute(name)) input.setAttribute(name, value);
    }
    this._onSubmit = (event) => {
      event.preventDefault();
      this.submit();
    };
    form.addEventListener("submit", this._onSubmit);
  }

  /** Hand over what the field holds (if anything), then clear it and refocus. */
  submit() {
    const code = this.input.value.trim();
    this.input.value = "";
    if (this.keepFocus) this.focus();
    if (code) this.onCode(code);
  }

  focus() {
    this.input.focus({preventScroll: true});
  }

  destroy() {
    this.form.removeEventListener("submit", this._onSubmit);
  }
}
