// Hanout storefront: a page restored from the back/forward cache is shown at once, unless
// the cart changed since it was drawn (the stamp of the page seen last, kept per store in
// this browser): then it is loaded again, so it never shows an older cart.
(function () {
  "use strict";
  var body = document.body;
  var stamp = body.getAttribute("data-cart");
  var key = "hanout-cart:" + (body.getAttribute("data-base") || "/");
  window.addEventListener("pageshow", function (event) {
    var seen = null;
    try {
      seen = window.localStorage.getItem(key);
      if (!event.persisted) { window.localStorage.setItem(key, stamp); }
    } catch (e) { seen = null; }  // no storage (private mode): never trust a restored page
    if (event.persisted && seen !== stamp) { window.location.reload(); }
  });
}());

// Hanout storefront: communes of the chosen wilaya, delivery fee and total, kept live.
// The form works without this file: the server re-renders it with the same information.
(function () {
  "use strict";
  var form = document.querySelector("form.order");
  if (!form) { return; }
  var feesNode = document.getElementById("fees");
  var fees = feesNode ? JSON.parse(feesNode.textContent) : {};
  var wilaya = form.querySelector("[data-wilaya]");
  var commune = form.querySelector("[data-commune]");
  var totals = form.querySelector(".totals");
  var currency = form.getAttribute("data-currency");

  function money(amount) {
    var digits = String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return digits + "\u00a0" + currency;
  }

  function subtotal() {
    var variant = form.querySelector("[data-variant]");
    var quantity = form.querySelector("[data-quantity]");
    if (!variant || !quantity) {
      return parseInt(form.querySelector("[data-subtotal]").getAttribute("data-subtotal"), 10);
    }
    var option = variant.tagName === "SELECT" ? variant.options[variant.selectedIndex] : variant;
    var qty = parseInt(quantity.value, 10);
    qty = isNaN(qty) || qty < 1 ? 1 : Math.min(qty, 99);
    return parseInt(option.getAttribute("data-price"), 10) * qty;
  }

  function offer(type, fee, known) {
    var input = form.querySelector("[data-type][value=" + type + "]");
    var label = form.querySelector("[data-fee-" + type + "]");
    input.disabled = known && fee === null;
    label.textContent = fee === null ? (known ? totals.getAttribute("data-not-offered") : "") : money(fee);
  }

  function update() {
    var row = fees[wilaya.value] || null;
    offer("home", row ? row[0] : null, !!row);
    offer("desk", row ? row[1] : null, !!row);
    var checked = form.querySelector("[data-type]:checked");
    if (!checked || checked.disabled) {
      checked = form.querySelector("[data-type]:not([disabled])");
      if (checked) { checked.checked = true; }
    }
    var fee = row && checked ? row[checked.value === "desk" ? 1 : 0] : null;
    var sub = subtotal();
    form.querySelector("[data-subtotal]").textContent = money(sub);
    form.querySelector("[data-fee]").textContent = fee === null ? "\u2014" : money(fee);
    form.querySelector("[data-total]").textContent = money(sub + (fee || 0));
  }

  function loadCommunes() {
    var code = wilaya.value;
    commune.length = 1;
    commune.options[0].textContent = commune.getAttribute("data-empty");
    if (!code) { return; }
    var url = form.getAttribute("data-base") + "/communes/" + code + ".json?lang=" +
      form.getAttribute("data-lang");
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (rows) {
      if (wilaya.value !== code) { return; }
      rows.forEach(function (row) { commune.add(new Option(row.name, row.code)); });
    }).catch(function () { /* the server lists the communes when the form comes back */ });
  }

  wilaya.addEventListener("change", function () { loadCommunes(); update(); });
  form.addEventListener("change", function (event) {
    if (event.target !== wilaya) { update(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-quantity")) { update(); }
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.classList.contains("primary")) {
      // A second tap on a slow connection must not send the order twice.
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });
  window.addEventListener("pageshow", function () {
    // Coming back with the Back button restores the page as it was: buttons included.
    form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
  });
  if (wilaya.value && commune.length <= 1) { loadCommunes(); }
  update();
}());
