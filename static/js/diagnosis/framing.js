/* Frame the spot: a square Cropper.js (v1) frame over the chosen or captured photo.
 *
 * The photo is decoded by the browser (which applies its EXIF orientation), drawn on a canvas
 * of at most PREVIEW_MAX pixels and handed to Cropper as a plain JPEG, so what the patient
 * frames is the photo as displayed. The frame is written into the form's hidden inputs
 * crop_x/crop_y/crop_width/crop_height in pixels of the full photo as displayed; the server
 * checks them and keeps only the framed part. Blank inputs (no JavaScript, "send the whole
 * photo", a photo the browser cannot show) mean the whole photo is used.
 *
 * window.JildiFraming.attach(form) -> { load(fileOrBlob) -> Promise<boolean>, reset() } */
(function () {
  "use strict";
  var PREVIEW_MAX = 1600;
  var FIELDS = ["crop_x", "crop_y", "crop_width", "crop_height"];

  function attach(form) {
    var section = document.getElementById("framing");
    var image = document.getElementById("framing-image");
    var whole = document.getElementById("framing-whole");
    var message = document.getElementById("framing-message");
    var controls = document.getElementById("framing-controls");
    var stage = document.getElementById("framing-stage");
    if (!section || !image || typeof window.Cropper !== "function") { return null; }

    var cropper = null;
    var previewUrl = null;
    var scale = 1;          // full displayed photo pixels per preview pixel
    var full = { w: 0, h: 0 };
    var generation = 0;     // ignore a slow decode of a photo that was replaced meanwhile

    function input(name) { return form.querySelector("input[name=" + name + "]"); }
    function show(el, visible) { el.classList.toggle("d-none", !visible); }

    function clearFields() {
      FIELDS.forEach(function (name) { var el = input(name); if (el) { el.value = ""; } });
      form.dataset.framed = "false";
    }

    function writeFields() {
      if (!cropper || whole.checked) { clearFields(); return; }
      var d = cropper.getData();
      var x = Math.max(0, Math.round(d.x * scale));
      var y = Math.max(0, Math.round(d.y * scale));
      var w = Math.min(Math.round(d.width * scale), full.w - x);
      var h = Math.min(Math.round(d.height * scale), full.h - y);
      if (!(w > 0 && h > 0)) { clearFields(); return; }
      input("crop_x").value = String(x);
      input("crop_y").value = String(y);
      input("crop_width").value = String(w);
      input("crop_height").value = String(h);
      form.dataset.framed = "true";
    }

    function destroy() {
      if (cropper) { cropper.destroy(); cropper = null; }
      if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
      image.removeAttribute("src");
    }

    function reset() {
      generation += 1;
      destroy();
      clearFields();
      whole.checked = false;
      stage.classList.remove("jd-frame-off");
      show(message, false);
      show(section, false);
    }

    function unreadable() {
      destroy();
      clearFields();
      show(section, true);
      show(stage, false);
      show(controls, false);
      show(whole.parentNode, false);
      message.textContent = section.dataset.msgUnreadable;
      show(message, true);
      return false;
    }

    function decode(blob) {
      return new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(blob);
        var img = new Image();
        img.onload = function () { resolve({ img: img, url: url }); };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
        img.src = url;
      });
    }

    function preview(decoded) {
      // naturalWidth/Height and drawImage follow the EXIF orientation (image-orientation: from-image).
      var img = decoded.img;
      full = { w: img.naturalWidth, h: img.naturalHeight };
      var ratio = Math.min(1, PREVIEW_MAX / Math.max(full.w, full.h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(full.w * ratio));
      canvas.height = Math.max(1, Math.round(full.h * ratio));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(decoded.url);
      scale = full.w / canvas.width;
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (b) { if (b) { resolve(b); } else { reject(new Error("canvas")); } }, "image/jpeg", 0.9);
      });
    }

    function start(blob) {
      previewUrl = URL.createObjectURL(blob);
      show(section, true);
      show(stage, true);
      show(controls, true);
      show(whole.parentNode, true);
      show(message, false);
      return new Promise(function (resolve) {
        image.onload = function () {
          image.onload = null;
          cropper = new window.Cropper(image, {
            viewMode: 1,              // the frame never leaves the photo
            aspectRatio: 1,           // a square frame
            autoCropArea: 1,          // centred, the largest square: what the model sees unframed
            dragMode: "move",         // dragging the background moves the photo under the frame
            checkOrientation: false,  // the preview canvas already carries the orientation
            checkCrossOrigin: false,
            rotatable: false,
            scalable: false,
            toggleDragModeOnDblclick: false,
            background: false,
            responsive: true,
            restore: true,
            ready: function () { writeFields(); resolve(true); },
            crop: writeFields
          });
        };
        image.src = previewUrl;
      });
    }

    function load(blob) {
      reset();
      if (!blob) { return Promise.resolve(false); }
      var mine = generation;
      return decode(blob).then(preview).then(function (b) {
        if (mine !== generation) { return false; }
        return start(b);
      }).catch(function () {
        return mine === generation ? unreadable() : false;
      });
    }

    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-frame-action]");
      if (!button || !cropper) { return; }
      var action = button.dataset.frameAction;
      if (action === "zoom-in") { cropper.zoom(0.1); }
      if (action === "zoom-out") { cropper.zoom(-0.1); }
      if (action === "reset") { cropper.reset(); }
      writeFields();
    });
    whole.addEventListener("change", function () {
      if (!cropper) { return; }
      if (whole.checked) { cropper.disable(); } else { cropper.enable(); }
      stage.classList.toggle("jd-frame-off", whole.checked);
      writeFields();
    });

    clearFields();
    return { load: load, reset: reset };
  }

  window.JildiFraming = { attach: attach };
})();
