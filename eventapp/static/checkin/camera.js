// Camera scanning: the rear camera, a few frames a second into a canvas, QR decoding in a
// worker (jsQR), and one callback per code read.
//
// A badge held in front of the camera is seen in many frames: the same text is ignored
// for ``repeatMs`` after it was read, so one presentation gives one scan. The frame rate
// is modest and frames are scaled down (``maxWidth``) because cheap phones decode a
// 640-pixel frame in tens of milliseconds and a full-HD one in hundreds.

/** Why the camera could not start, as a reason the page turns into words. */
export function cameraErrorReason(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "denied";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return "no_camera";
  }
  if (name === "NotReadableError" || name === "TrackStartError") return "busy";
  if (name === "InsecureContext") return "insecure";
  return "failed";
}

export class CameraScanner {
  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video where the camera picture is shown
   * @param {(text: string) => void} options.onCode called once per code read
   * @param {(reason: string, error: Error) => void} [options.onError] camera failures
   * @param {(running: boolean) => void} [options.onState] started / stopped
   * @param {number} [options.framesPerSecond] frames analysed per second
   * @param {number} [options.repeatMs] same code ignored for this long after a read
   * @param {number} [options.maxWidth] frames are scaled down to this width
   * @param {string|URL} [options.workerUrl] the decoding worker (qr-worker.js)
   */
  constructor({video, onCode, onError = () => {}, onState = () => {}, framesPerSecond = 6,
    repeatMs = 3000, maxWidth = 640, workerUrl = new URL("./qr-worker.js", import.meta.url)}) {
    this.video = video;
    this.onCode = onCode;
    this.onError = onError;
    this.onState = onState;
    this.frameInterval = 1000 / framesPerSecond;
    this.repeatMs = repeatMs;
    this.maxWidth = maxWidth;
    this.workerUrl = workerUrl;
    this.stream = null;
    this.worker = null;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", {willReadFrequently: true});
    this.busy = false;
    this.timer = null;
    this.frameId = 0;
    this.lastText = null;
    this.lastTextAt = 0;
  }

  get running() {
    return this.stream !== null;
  }

  /** Start the rear camera and the decoding; false (onError told why) if it cannot. */
  async start() {
    if (this.running) return true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const error = new Error("camera API unavailable (the page needs https)");
      error.name = window.isSecureContext ? "NotFoundError" : "InsecureContext";
      this.onError(cameraErrorReason(error), error);
      return false;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
      });
    } catch (error) {
      this.stream = null;
      this.onError(cameraErrorReason(error), error);
      return false;
    }
    this.video.setAttribute("playsinline", "");
    this.video.muted = true;
    this.video.srcObject = this.stream;
    try {
      await this.video.play();
    } catch (error) {
      this.stop();
      this.onError("failed", error);
      return false;
    }
    this.worker = new Worker(this.workerUrl);
    this.worker.onmessage = (event) => this._decoded(event.data);
    this.busy = false;
    this.timer = setInterval(() => this._grabFrame(), this.frameInterval);
    this.onState(true);
    return true;
  }

  /** Stop the camera (the light goes off) and the decoding. */
  stop() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    const wasRunning = this.stream !== null;
    this.stream = null;
    this.video.srcObject = null;
    if (wasRunning) this.onState(false);
  }

  get _track() {
    return this.stream ? this.stream.getVideoTracks()[0] : null;
  }

  /** Whether the camera has a torch the page can switch (Chrome on Android does). */
  get torchSupported() {
    const track = this._track;
    if (!track || typeof track.getCapabilities !== "function") return false;
    return Boolean(track.getCapabilities().torch);
  }

  async setTorch(on) {
    if (!this.torchSupported) return false;
    await this._track.applyConstraints({advanced: [{torch: Boolean(on)}]});
    return true;
  }

  _grabFrame() {
    const video = this.video;
    if (this.busy || !this.worker || video.readyState < 2 || !video.videoWidth) return;
    const scale = Math.min(1, this.maxWidth / video.videoWidth);
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    this.context.drawImage(video, 0, 0, width, height);
    const pixels = this.context.getImageData(0, 0, width, height);
    this.busy = true;
    this.frameId += 1;
    this.worker.postMessage({id: this.frameId, width, height, buffer: pixels.data.buffer},
      [pixels.data.buffer]);
  }

  _decoded({text}) {
    this.busy = false;
    if (!text) return;
    const now = Date.now();
    if (text === this.lastText && now - this.lastTextAt < this.repeatMs) {
      this.lastTextAt = now; // still in front of the camera: keep ignoring it
      return;
    }
    this.lastText = text;
    this.lastTextAt = now;
    this.onCode(text);
  }
}
