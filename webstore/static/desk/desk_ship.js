/* The desk's Shipping screen: the confirmed orders waiting for a courier, many selected at
   once, sent to one courier account in one press (stop-desk orders with their desk), each
   refusal listed with its reason, the parcels followed until the courier created them,
   then one PDF of their labels and the pick list, opened through a signed link (Telegram
   opens it in the phone's browser, without the page's init data). Drawn with the desk's
   own helpers (window.HanoutDesk, set by desk.js); nothing with innerHTML. */
(function () {
  "use strict";
  var K = null;  // the desk's helpers
  var POLL_MS = 2000;
  var POLL_ROUNDS = 90;
  var screen = null;  // the last /shipping answer
  var timer = null;

  function t(key) { return K.t(key); }
  function el(tag, attrs, children) { return K.el(tag, attrs, children); }

  function show(kit) {
    K = kit;
    K.stopPolling();
    stop();
    K.setBack(function () { stop(); K.goBack(); });
    document.getElementById("title").textContent = t("shipping");
    K.app.replaceChildren(el("p", { "class": "note", text: t("loading") }));
    K.api("/shipping").then(function (res) {
      if (!res.ok) { K.app.replaceChildren(el("p", { "class": "note", text: K.fail(res) })); return; }
      screen = res.data;
      draw();
    });
  }

  function stop() { clearInterval(timer); timer = null; }

  function draw() {
    if (!screen.accounts.length) {
      K.app.replaceChildren(el("p", { "class": "note", id: "ship-empty", text: t("ship_no_accounts") }));
      return;
    }
    var rows = el("ul", { "class": "orders", id: "ship-orders" }, screen.orders.map(orderRow));
    var top = el("div", { "class": "sticky ship-bar" }, [accountPicker(), selectAll()]);
    var actions = el("div", { "class": "ship-actions" }, [
      el("button", { type: "button", "class": "primary", id: "ship-dispatch", text: t("ship_dispatch"), on: { click: dispatch } }),
      el("button", { type: "button", id: "ship-pick", text: "🧺 " + t("ship_pick_list"), on: { click: function () { print("pick_list", chosen()); } } })
    ]);
    K.app.replaceChildren(top, screen.orders.length ? rows : el("p", { "class": "note", text: t("ship_none") }),
      screen.orders.length ? actions : null, formatPicker());
    count();
  }

  function accountPicker() {
    var pick = el("select", { id: "ship-account", "aria-label": t("ship_courier") }, screen.accounts.map(function (a) {
      var name = a.courier + (a.label && a.label !== a.courier ? " · " + a.label : "") + (a["default"] ? " (" + t("ship_default") + ")" : "");
      return el("option", { value: String(a.id), text: name });
    }));
    pick.addEventListener("change", function () {
      document.querySelectorAll("#ship-orders .ship-desk").forEach(function (box) { box.replaceChildren(); box.dataset.loaded = ""; });
      document.querySelectorAll("#ship-orders input:checked").forEach(function (box) { desks(box.closest("li")); });
    });
    return el("label", { "class": "ship-field" }, [el("span", { "class": "hint", text: t("ship_courier") }), pick]);
  }

  function selectAll() {
    var all = el("input", { type: "checkbox", id: "ship-all" });
    all.addEventListener("change", function () {
      document.querySelectorAll("#ship-orders input[type=checkbox]").forEach(function (box) {
        if (box.checked !== all.checked) { box.checked = all.checked; picked(box); }
      });
      count();
    });
    return el("label", { "class": "ship-all" }, [all, el("span", { text: t("ship_select_all") }),
      el("b", { id: "ship-count", "class": "hint" })]);
  }

  function orderRow(o) {
    var box = el("input", { type: "checkbox", value: String(o.number), "aria-label": "#" + o.number });
    box.addEventListener("change", function () { picked(box); count(); });
    var wilaya = (K.me.wilayas.filter(function (w) { return w[0] === o.wilaya; })[0] || [0, String(o.wilaya)])[1];
    var facts = el("span", { "class": "facts" });
    [o.phone, wilaya + " · " + o.commune, K.money(o.total)].forEach(function (fact) {
      if (facts.childNodes.length) facts.appendChild(document.createTextNode(" · "));
      facts.appendChild(document.createElement("bdi")).textContent = fact;
    });
    return el("li", { "class": "ship-row", "data-number": String(o.number), "data-type": o.delivery_type }, [
      el("label", { "class": "ship-pick" }, [box, el("span", { "class": "num", text: "#" + o.number }),
        el("span", { "class": "badge" + (o.delivery_type === "desk" ? " s-shipped" : ""), text: t(o.delivery_type) }),
        el("span", { "class": "name", iso: o.name }), facts]),
      el("div", { "class": "ship-desk" }),
      el("p", { "class": "ship-result", role: "status" })
    ]);
  }

  function picked(box) {
    var row = box.closest("li");
    if (box.checked && row.dataset.type === "desk") desks(row);
  }

  /* A stop-desk order needs its desk: the courier's desks in the customer's wilaya, the
     one in the customer's commune chosen when there is one. */
  function desks(row) {
    var box = row.querySelector(".ship-desk");
    if (row.dataset.type !== "desk" || box.dataset.loaded) return;
    box.dataset.loaded = "1";
    var account = document.getElementById("ship-account").value;
    K.api("/shipping/desks?account=" + account + "&number=" + row.dataset.number).then(function (res) {
      if (!res.ok) { box.replaceChildren(el("p", { "class": "hint", text: K.fail(res) })); return; }
      if (res.data.error) { box.replaceChildren(el("p", { "class": "hint", text: res.data.error })); return; }
      if (!res.data.desks.length) return;  // the courier picks the desk itself
      var pick = el("select", { "class": "desk-pick", "aria-label": t("ship_desk") },
        [el("option", { value: "", text: t("ship_choose_desk") })].concat(res.data.desks.map(function (d) {
          return el("option", { value: d.id, text: d.name + (d.commune ? " · " + d.commune : "") });
        })));
      var first = res.data.desks[0];
      if (first.commune && first.commune.toLowerCase() === String(res.data.commune).toLowerCase()) pick.value = first.id;
      box.replaceChildren(pick);
    });
  }

  function chosen() {
    return Array.prototype.map.call(document.querySelectorAll("#ship-orders input:checked"), function (box) {
      return +box.value;
    });
  }

  function count() {
    var n = chosen().length;
    document.getElementById("ship-count").textContent = n + " " + t("ship_selected");
    var go = document.getElementById("ship-dispatch");
    if (go) go.disabled = !n;
    var pick = document.getElementById("ship-pick");
    if (pick) pick.disabled = !n;
  }

  function picks() {
    return Array.prototype.map.call(document.querySelectorAll("#ship-orders input:checked"), function (box) {
      var desk = box.closest("li").querySelector(".desk-pick");
      var pick = { number: +box.value };
      if (desk && desk.value) pick.stopdesk_id = desk.value;
      return pick;
    });
  }

  function dispatch() {
    var go = document.getElementById("ship-dispatch");
    var body = { account_id: +document.getElementById("ship-account").value, orders: picks() };
    if (!body.orders.length) return;
    go.disabled = true;
    go.textContent = t("ship_dispatching");
    K.api("/shipping/dispatch", body).then(function (res) {
      go.textContent = t("ship_dispatch");
      if (!res.ok) { go.disabled = false; K.toast(K.fail(res)); return; }
      if (K.tg && K.tg.HapticFeedback) K.tg.HapticFeedback.notificationOccurred("success");
      results(res.data.orders);
    });
  }

  /* Each order of the press with its outcome; the shipped ones followed until the courier
     created their parcel (or refused it), then the labels to print. */
  function results(outcomes) {
    var sent = outcomes.filter(function (o) { return o.outcome !== "failed"; }).map(function (o) { return o.number; });
    var list = el("ul", { "class": "orders", id: "ship-results" }, outcomes.map(function (o) {
      var text = o.outcome === "failed" ? t("ship_failed") + " — " + o.reason
        : o.outcome === "already" ? t("ship_already") : t("ship_waiting");
      return el("li", { "class": "ship-row o-" + o.outcome, "data-number": String(o.number) }, [
        el("span", { "class": "num", text: "#" + o.number }),
        el("p", { "class": "ship-result", iso: text })]);
    }));
    var labels = el("button", { type: "button", "class": "primary", id: "ship-labels", disabled: "",
      text: "🖨 " + t("ship_labels"), on: { click: function () { print("labels", sent); } } });
    var pickList = el("button", { type: "button", id: "ship-pick", text: "🧺 " + t("ship_pick_list"),
      on: { click: function () { print("pick_list", sent); } } });
    var again = el("button", { type: "button", id: "ship-again", text: t("ship_again"), on: { click: function () { show(K); } } });
    var summary = el("p", { "class": "note", id: "ship-summary", text: t("ship_done").replace("{sent}", sent.length).replace("{total}", outcomes.length) });
    K.app.replaceChildren(summary, list, el("div", { "class": "ship-actions" }, [labels, pickList, again]), formatPicker());
    if (sent.length) follow(sent, POLL_ROUNDS);
  }

  function follow(numbers, rounds) {
    stop();
    var check = function () {
      K.api("/shipping/progress?orders=" + numbers.join(",")).then(function (res) {
        if (!res.ok) return;
        var waiting = res.data.orders.filter(function (p) { return p.parcel === "requested"; }).length;
        var ready = res.data.orders.filter(function (p) { return p.parcel === "created"; }).length;
        res.data.orders.forEach(progressed);
        var labels = document.getElementById("ship-labels");
        if (labels) {
          labels.disabled = !ready;
          labels.textContent = "🖨 " + t("ship_labels") + (ready ? " (" + ready + ")" : "");
        }
        rounds -= 1;
        if (!waiting || rounds <= 0) stop();
      });
    };
    check();
    timer = setInterval(check, POLL_MS);
  }

  function progressed(p) {
    var row = document.querySelector('#ship-results li[data-number="' + p.number + '"]');
    if (!row) return;
    var text = p.parcel === "created" ? t("ship_created") + " · " + p.tracking
      : p.refused ? t("ship_failed") + " — " + p.refused : t("ship_waiting");
    row.className = "ship-row o-" + (p.parcel === "created" ? "created" : p.refused ? "failed" : "requested");
    row.querySelector(".ship-result").replaceChildren(el("bdi", { text: text }));
  }

  /* The store's label format: the owner chooses, the agents see it. */
  function formatPicker() {
    var label = el("span", { "class": "hint", text: t("ship_label_format") });
    if (!screen.may_set_format) {
      return el("p", { "class": "card", id: "ship-format" }, [label, el("b", { text: " " + t("ship_format_" + screen.label_format) })]);
    }
    var pick = el("select", { id: "ship-format-pick", "aria-label": t("ship_label_format") }, ["a4", "thermal"].map(function (f) {
      return el("option", { value: f, text: t("ship_format_" + f) });
    }));
    pick.value = screen.label_format;
    pick.addEventListener("change", function () {
      K.api("/shipping/format", { label_format: pick.value }).then(function (res) {
        if (!res.ok) { K.toast(K.fail(res)); pick.value = screen.label_format; return; }
        screen.label_format = res.data.label_format;
        K.toast(t("done"));
      });
    });
    return el("label", { "class": "card ship-field", id: "ship-format" }, [label, pick]);
  }

  /* A signed link to the PDF, opened by Telegram in the phone's browser (print or share
     from there); in a plain browser, a new tab. */
  function print(kind, numbers) {
    if (!numbers.length) return;
    K.api("/shipping/print", { kind: kind, orders: numbers }).then(function (res) {
      if (!res.ok) { K.toast(res.status === 409 ? t("ship_waiting") : K.fail(res)); return; }
      var url = location.origin + res.data.url;
      window.__lastPrint = url;
      if (K.tg && K.tg.openLink) K.tg.openLink(url);
      else window.open(url, "_blank", "noopener");
    });
  }

  window.HanoutShipping = { show: show };
})();
