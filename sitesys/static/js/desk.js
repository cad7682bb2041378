/* The check-in desk: the booths offered follow the route chosen. The page works without this
   file: the server lists the booths for the route it was sent, and refuses an unsuitable one. */
(function () {
  "use strict";

  function followRoute(form) {
    var chosen = form.querySelector('input[name="route"]:checked');
    var group = form.querySelector("[data-booth-choices]");
    if (!chosen || !group) { return; }
    group.querySelectorAll("li[data-routes]").forEach(function (item) {
      var suits = item.getAttribute("data-routes").split(" ").indexOf(chosen.value) !== -1;
      item.hidden = !suits;
      var radio = item.querySelector("input");
      if (!suits && radio && radio.checked) { radio.checked = false; }
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "route" && target.form) {
      followRoute(target.form);
    }
  });
})();
