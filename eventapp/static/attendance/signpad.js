// A signature pad: the person signs with a finger, a stylus or a mouse on a canvas
// (Pointer Events, so touch and mouse take the same path), and the drawing is exported
// as a PNG data URL of bounded size (the server refuses larger ones).
//
// Forms marked [data-signpad-form] get a pad for their [data-signpad] canvas: on submit,
// an empty pad shows its error and stops the form; otherwise the PNG goes into the
// hidden input [data-signpad-output]. No inline script (CSP script-src 'self').

const MAX_EXPORT = {width: 1200, height: 600};

export class SignaturePad {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.strokes = 0;
    this.drawing = false;
    this.last = null;
    this._resize();
    canvas.addEventListener("pointerdown", (event) => this._down(event));
    canvas.addEventListener("pointermove", (event) => this._move(event));
    for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
      canvas.addEventListener(type, () => this._up());
    }
    window.addEventListener("resize", () => {
      if (this.isEmpty()) this._resize();
    });
  }

  /** Match the canvas's pixels to its displayed size (sharp on high-density screens). */
  _resize() {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    const width = Math.max(1, Math.round((rect.width || 300) * ratio));
    const height = Math.max(1, Math.round((rect.height || 150) * ratio));
    this.canvas.width = width;
    this.canvas.height = height;
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.context.lineWidth = 2.5;
    this.context.lineCap = "round";
    this.context.lineJoin = "round";
    this.context.strokeStyle = "#000";
  }

  _point(event) {
    const rect = this.canvas.getBoundingClientRect();
    return {x: event.clientX - rect.left, y: event.clientY - rect.top};
  }

  _down(event) {
    event.preventDefault();
    if (this.canvas.setPointerCapture && event.pointerId !== undefined) {
      try {
        this.canvas.setPointerCapture(event.pointerId);
      } catch {
        // synthetic events have no capturable pointer
      }
    }
    this.drawing = true;
    this.last = this._point(event);
    this.context.beginPath();
    this.context.arc(this.last.x, this.last.y, 1.2, 0, 2 * Math.PI);
    this.context.fill();
    this.strokes += 1;
    this._changed();
  }

  _move(event) {
    if (!this.drawing) return;
    event.preventDefault();
    const point = this._point(event);
    this.context.beginPath();
    this.context.moveTo(this.last.x, this.last.y);
    this.context.lineTo(point.x, point.y);
    this.context.stroke();
    this.last = point;
  }

  _up() {
    this.drawing = false;
    this.last = null;
  }

  _changed() {
    this.canvas.dispatchEvent(new CustomEvent("signpad:change", {bubbles: true, detail: {strokes: this.strokes}}));
  }

  isEmpty() {
    return this.strokes === 0;
  }

  clear() {
    this.context.save();
    this.context.setTransform(1, 0, 0, 1, 0, 0);
    this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.context.restore();
    this.strokes = 0;
    this._changed();
  }

  /** The drawing as a PNG data URL, scaled down to at most 1200 x 600 pixels. */
  toDataURL() {
    const scale = Math.min(1, MAX_EXPORT.width / this.canvas.width, MAX_EXPORT.height / this.canvas.height);
    if (scale === 1) return this.canvas.toDataURL("image/png");
    const out = document.createElement("canvas");
    out.width = Math.max(1, Math.round(this.canvas.width * scale));
    out.height = Math.max(1, Math.round(this.canvas.height * scale));
    out.getContext("2d").drawImage(this.canvas, 0, 0, out.width, out.height);
    return out.toDataURL("image/png");
  }
}

/** Wire a pad's clear button ([data-signpad-clear]) inside ``scope``. */
export function wireClear(scope, pad) {
  const clear = scope.querySelector("[data-signpad-clear]");
  if (clear) clear.addEventListener("click", () => pad.clear());
}

/** Give every [data-signpad-form] its pad; returns the pads (for tests and the page). */
export function startSignpadForms(root = document) {
  const pads = [];
  for (const form of root.querySelectorAll("form[data-signpad-form]")) {
    const canvas = form.querySelector("canvas[data-signpad]");
    const output = form.querySelector("[data-signpad-output]");
    const message = form.querySelector("[data-signpad-message]");
    if (!canvas || !output) continue;
    const pad = new SignaturePad(canvas);
    wireClear(form, pad);
    form.addEventListener("submit", (event) => {
      if (pad.isEmpty()) {
        event.preventDefault();
        if (message) message.textContent = message.dataset.empty || "";
        canvas.focus();
        return;
      }
      output.value = pad.toDataURL();
    });
    canvas.addEventListener("signpad:change", () => {
      if (message && !pad.isEmpty()) message.textContent = "";
    });
    form.dataset.signpadReady = "true";
    pads.push(pad);
  }
  return pads;
}

if (document.querySelector("form[data-signpad-form]")) window.eventappSignpads = startSignpadForms();
