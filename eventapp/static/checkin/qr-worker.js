// Decodes QR codes off the main thread, so that the page stays responsive on cheap
// phones while frames are analysed. Classic worker (importScripts) because jsQR ships
// as a UMD script, not an ES module. Message in: {id, width, height, buffer} (RGBA
// pixels, transferred); message out: {id, text} with text null when no code was found.
importScripts("../vendor/jsqr/jsQR.js");

self.onmessage = (event) => {
  const {id, width, height, buffer} = event.data;
  let text;
  try {
    const found = jsQR(new Uint8ClampedArray(buffer), width, height,
      {inversionAttempts: "dontInvert"});
    text = found && found.data ? found.data : null;
  } catch {
    text = null; // an unreadable frame is just a frame without a code
  }
  self.postMessage({id, text});
};
