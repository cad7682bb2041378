/* Large − / + steppers for quantities: the number box works without this file. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-step]") : null;
    if (!button) { return; }
    var stepper = button.closest("[data-stepper]");
    var input = stepper && stepper.querySelector("input[type=number]");
    if (!input) { return; }
    var value = parseInt(input.value, 10);
    if (isNaN(value)) { value = 0; }
    var next = value + parseInt(button.getAttribute("data-step"), 10);
    var most = parseInt(input.getAttribute("max"), 10);
    if (next < 0) { next = 0; }
    if (!isNaN(most) && next > most) { next = most; }
    input.value = String(next);
  });
})();
