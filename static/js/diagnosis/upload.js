/* Upload page: once a photo is chosen, let the patient frame the spot (framing.js).
 * The form then submits normally, with the frame in its hidden crop_* inputs. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var input = document.querySelector("[data-testid=image-input]");
  if (!form || !input || !window.JildiFraming) { return; }
  var framing = window.JildiFraming.attach(form);
  if (!framing) { return; }
  input.addEventListener("change", function () {
    framing.load(input.files && input.files.length ? input.files[0] : null);
  });
  // Back/forward cache or a re-rendered form with an error: the chosen file is gone or new.
  if (input.files && input.files.length) { framing.load(input.files[0]); }
})();
