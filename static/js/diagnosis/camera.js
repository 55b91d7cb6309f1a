/* Live camera capture for the diagnosis upload (no framework).
 * getUserMedia preview -> canvas -> JPEG blob -> frame the spot (framing.js) ->
 * multipart POST (with the frame and the answers) with the CSRF token -> go to the
 * result page. Without a camera (or permission) the page falls back to an ordinary
 * file input that submits the same form. */
(function () {
  "use strict";
  var form = document.getElementById("camera-form");
  if (!form) { return; }
  var video = document.getElementById("camera-video");
  var live = document.getElementById("camera-live");
  var still = document.getElementById("camera-still");
  var canvas = document.getElementById("camera-canvas");
  var errorBox = document.getElementById("camera-error");
  var captureBtn = document.getElementById("camera-capture");
  var retakeBtn = document.getElementById("camera-retake");
  var switchBtn = document.getElementById("camera-switch");
  var submitBtn = document.getElementById("camera-submit");
  var fallback = document.getElementById("camera-fallback");
  var fileInput = document.getElementById("camera-file");
  var statusBox = document.getElementById("camera-status");
  var framing = window.JildiFraming ? window.JildiFraming.attach(form) : null;

  var stream = null;
  var facing = "environment";
  var blob = null;
  var fallbackMode = false;

  function show(el, visible) { el.classList.toggle("d-none", !visible); }

  function useFallback(message) {
    fallbackMode = true;
    stopStream();
    show(live, false);
    show(captureBtn, false);
    show(switchBtn, false);
    errorBox.textContent = message;
    show(errorBox, true);
    show(fallback, true);
    fileInput.disabled = false;
    submitBtn.disabled = !fileInput.files.length;
  }

  function frame(photo) {
    // The framing view replaces the plain still; if framing is unavailable the still stays.
    if (!framing) { return; }
    framing.load(photo).then(function (ok) { show(still, !ok && !fallbackMode); });
  }

  function stopStream() {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
  }

  function start() {
    stopStream();
    captureBtn.disabled = true;
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: facing }, width: { ideal: 1920 }, height: { ideal: 1080 } },
      audio: false
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      return video.play().catch(function () {});
    }).then(function () {
      captureBtn.disabled = false;
      return navigator.mediaDevices.enumerateDevices();
    }).then(function (devices) {
      var cams = devices.filter(function (d) { return d.kind === "videoinput"; });
      show(switchBtn, cams.length > 1);
    }).catch(function () {
      useFallback(form.dataset.msgDenied);
    });
  }

  function capture() {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return; }
    canvas.width = w;
    canvas.height = h;
    canvas.getContext("2d").drawImage(video, 0, 0, w, h);
    canvas.toBlob(function (b) {
      blob = b;
      still.src = URL.createObjectURL(b);
      show(still, true);
      show(live, false);
      show(captureBtn, false);
      show(switchBtn, false);
      show(retakeBtn, true);
      submitBtn.disabled = false;
      stopStream();
      frame(b);
    }, "image/jpeg", 0.92);
  }

  function retake() {
    blob = null;
    if (still.src) { URL.revokeObjectURL(still.src); }
    show(still, false);
    if (framing) { framing.reset(); }
    show(live, true);
    show(retakeBtn, false);
    show(captureBtn, true);
    submitBtn.disabled = true;
    start();
  }

  captureBtn.addEventListener("click", capture);
  retakeBtn.addEventListener("click", retake);
  switchBtn.addEventListener("click", function () {
    facing = facing === "environment" ? "user" : "environment";
    start();
  });
  fileInput.addEventListener("change", function () {
    submitBtn.disabled = !fileInput.files.length;
    if (framing) { framing.load(fileInput.files.length ? fileInput.files[0] : null); }
  });

  form.addEventListener("submit", function (event) {
    if (fallbackMode || !blob) { return; }  // ordinary multipart form submit
    event.preventDefault();
    submitBtn.disabled = true;
    statusBox.textContent = form.dataset.msgUploading;
    var data = new FormData(form);
    data.set("image", blob, "camera.jpg");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok && result.body.url) {
        window.location.assign(result.body.url);
        return;
      }
      statusBox.textContent = (result.body.errors || [form.dataset.msgFailed]).join(" ");
      statusBox.classList.add("text-danger");
      submitBtn.disabled = false;
    }).catch(function () {
      statusBox.textContent = form.dataset.msgFailed;
      statusBox.classList.add("text-danger");
      submitBtn.disabled = false;
    });
  });

  window.addEventListener("pagehide", stopStream);

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.isSecureContext) {
    useFallback(form.dataset.msgUnsupported);
  } else {
    start();
  }
})();
