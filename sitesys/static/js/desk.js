/* The check-in desk: the booths offered follow the route chosen, and "Services only" hides
   what a visit to use asks. The page works without this
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

  /* "Services only": nobody uses, so substances, route and booth are not asked. */
  function followKind(form) {
    var chosen = form.querySelector('input[name="kind"]:checked');
    var servicesOnly = chosen !== null && chosen.value === "services_only";
    form.querySelectorAll("[data-using-fields]").forEach(function (group) {
      group.hidden = servicesOnly;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "kind" && target.form) {
      followKind(target.form);
    }
    if (target instanceof HTMLInputElement && target.name === "route" && target.form) {
      followRoute(target.form);
    }
  });
})();
