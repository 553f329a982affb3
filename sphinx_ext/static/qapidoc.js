/* qapidoc: open the collapsed <details> holding the element the URL points
   at, make an item's name its permalink (items carry no link markup:
   thousands of them on one page), and build the wire view of a command or
   event when its stub (<details data-wire="NS/NAME">) is
   opened.  Schema text only ever reaches the page through textContent and
   attributes checked against the anchor alphabet: never as markup. */
(function () {
  "use strict";

  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var opened = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
        opened = true;
      }
    }
    if (target.tagName === "DETAILS" && !target.open) {
      target.open = true;
      opened = true;
    }
    if (opened) target.scrollIntoView();
  }
  document.addEventListener("DOMContentLoaded", reveal);
  window.addEventListener("hashchange", reveal);
  document.addEventListener("click", function (event) {
    var name = event.target.closest && event.target.closest(".qapi-item > p:first-child > code:first-child, p.qapi-item > code:first-child");
    var item = name && name.closest(".qapi-item");
    if (item && item.id) {
      window.location.hash = item.id;
    }
  });

  /* -- the wire view (data: sphinx_ext/render/wire_view.py) ---------------- */

  var SAFE = /^[A-Za-z0-9_.-]*$/;
  var OPTIONAL = 1, DEPRECATED = 2, UNSTABLE = 4, DISCRIMINATOR = 8;
  var script = document.currentScript;
  /* the site's root: where _static/qapidoc.js is loaded from */
  var root = script && /_static\/qapidoc\.js(\?.*)?$/.test(script.src)
    ? script.src.replace(/_static\/qapidoc\.js(\?.*)?$/, "")
    : document.documentElement.getAttribute("data-content_root") || "";
  var waiting = {};

  function data(key) {
    var all = window.qapidocWire;
    return all && Object.prototype.hasOwnProperty.call(all, key) ? all[key] : null;
  }

  /* Load _static/qapidoc-wire-KEY.js once (a <script>: works from file://). */
  function load(key, done) {
    if (data(key)) { done(data(key)); return; }
    if (waiting[key]) { waiting[key].push(done); return; }
    waiting[key] = [done];
    var tag = document.createElement("script");
    tag.src = root + "_static/" + (key ? "qapidoc-wire-" + key + ".js" : "qapidoc-wire.js");
    function finish() {
      var callbacks = waiting[key];
      delete waiting[key];
      for (var i = 0; i < callbacks.length; i++) callbacks[i](data(key));
    }
    tag.onload = finish;
    tag.onerror = finish;
    document.head.appendChild(tag);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  /* href of an anchor on page number `page`: "#id" on this very page. */
  function href(wire, page, anchor) {
    if (!SAFE.test(anchor) || typeof page !== "number") return null;
    var uri = wire.pages[page];
    if (typeof uri !== "string" || uri.indexOf(":") >= 0) return null;
    var url = new URL(root + uri, window.location.href);
    if (url.pathname === window.location.pathname) return "#" + anchor;
    return root + uri + "#" + anchor;
  }

  function linked(text, cls, url) {
    if (!url) return el("span", cls, text);
    var a = el("a", cls, text);
    a.href = url;
    return a;
  }

  /* A node's link: a suffix of its record's anchor, or [page, anchor]. */
  function nodeHref(wire, record, link) {
    if (typeof link === "string") return record && record.a ? href(wire, record.p, record.a + link) : null;
    if (link && link.length === 2) return href(wire, link[0], link[1]);
    return null;
  }

  function badge(kind, text) {
    return el("span", "qapi-badge-" + kind, text);
  }

  function kidsOf(wire, kids) {
    if (typeof kids === "string") {
      var record = wire.types[kids];
      return record && record.k && record.k.length ? {record: record, list: record.k} : null;
    }
    return kids && kids.length ? {record: null, list: kids} : null;
  }

  /* One node: [role, name, flags, type, json, link, kids, extra]. */
  function line(wire, record, node, discriminator) {
    var role = node[0], name = node[1], flags = node[2] || 0;
    var type = node[3] || "", json = node[4] || "", extra = node[7] || {};
    var head = el("span", "qapi-wire-line");
    var url = nodeHref(wire, record, node[5]);
    if (role === "b") {
      head.appendChild(el("span", "qapi-wire-punct", discriminator + " = "));
      head.appendChild(linked(JSON.stringify(name), "qapi-wire-name", url));
    } else if (role === "v") {
      head.appendChild(linked(JSON.stringify(name), "qapi-wire-name", url));
    } else if (role === "a") {
      head.appendChild(linked(json || type, "qapi-wire-name", url));
    } else {
      head.appendChild(linked(role === "r" ? "return" : name, "qapi-wire-name", url));
    }
    if (type && role !== "v" && !(role === "a" && !json)) {
      head.appendChild(el("span", "qapi-wire-punct", role === "b" || role === "a" ? " \u2192 " : ": "));
      var named = type.replace(/^\[|\]$/g, "");
      var target = wire.types[named];
      var typeUrl = target && target.a ? href(wire, target.p, target.a) : null;
      var code = el("span", "qapi-wire-type");
      if (type.charAt(0) === "[") code.appendChild(document.createTextNode("["));
      code.appendChild(linked(named, "", typeUrl));
      if (type.charAt(0) === "[") code.appendChild(document.createTextNode("]"));
      head.appendChild(code);
      if (json && role !== "a") head.appendChild(el("span", "qapi-wire-json", json));
    }
    if (flags & OPTIONAL) head.appendChild(el("span", "qapi-wire-opt", "optional"));
    if (flags & DISCRIMINATOR) head.appendChild(badge("discriminator", "discriminator"));
    if (flags & DEPRECATED) head.appendChild(badge("deprecated", "deprecated"));
    if (flags & UNSTABLE) head.appendChild(badge("unstable", "unstable"));
    if (typeof extra.if === "string") head.appendChild(badge("ifcond", "if " + extra.if));
    var features = extra.f || [];
    for (var i = 0; i < features.length; i++) head.appendChild(badge("feature", "#" + features[i]));
    return head;
  }

  function items(wire, record, list, discriminator) {
    var ul = el("ul", "qapi-wire-list");
    for (var i = 0; i < list.length; i++) ul.appendChild(item(wire, record, list[i], discriminator));
    return ul;
  }

  function item(wire, record, node, discriminator) {
    var li = el("li");
    var head = line(wire, record, node, discriminator);
    var kids = kidsOf(wire, node[6]);
    if (!kids) {
      li.appendChild(head);
      return li;
    }
    var details = el("details");
    var summary = el("summary");
    summary.appendChild(head);
    details.appendChild(summary);
    var disc = node[2] & DISCRIMINATOR ? JSON.stringify(node[1]) : "";
    details.addEventListener("toggle", function () {
      if (!details.open || details.childNodes.length > 1) return;
      details.appendChild(items(wire, kids.record || record, kids.list, disc));
    });
    li.appendChild(details);
    return li;
  }

  /* The whole message: {"execute": name, "arguments": {...}} and its
     return, or {"event": name, "data": {...}}. */
  function build(stub, wire, name) {
    var body = el("div", "qapi-wire-body");
    var entry = wire && Object.prototype.hasOwnProperty.call(wire.roots, name) ? wire.roots[name] : null;
    if (!entry) {
      body.appendChild(el("p", "", "The wire view's data did not load."));
      stub.appendChild(body);
      return;
    }
    var command = entry.t === "c";
    var args = [], returns = [];
    for (var i = 0; i < entry.k.length; i++) (entry.k[i][0] === "r" ? returns : args).push(entry.k[i]);
    var top = el("ul", "qapi-wire-tree");
    var message = el("li");
    message.appendChild(el("span", "qapi-wire-punct", command ? "\"execute\": " : "\"event\": "));
    message.appendChild(el("span", "qapi-wire-name", JSON.stringify(name)));
    top.appendChild(message);
    var object = el("li");
    var head = el("span", "qapi-wire-line");
    head.appendChild(el("span", "qapi-wire-name", command ? "arguments" : "data"));
    head.appendChild(el("span", "qapi-wire-json", args.length ? "object" : "object, empty"));
    if (args.length) {
      var details = el("details");
      details.open = true;
      var summary = el("summary");
      summary.appendChild(head);
      details.appendChild(summary);
      details.appendChild(items(wire, entry, args, ""));
      object.appendChild(details);
    } else {
      object.appendChild(head);
    }
    top.appendChild(object);
    if (command) {
      if (returns.length) {
        top.appendChild(item(wire, entry, returns[0], ""));
      }
    }
    body.appendChild(top);
    stub.appendChild(body);
  }

  document.addEventListener("toggle", function (event) {
    var stub = event.target;
    if (!stub || stub.tagName !== "DETAILS" || !stub.open || !stub.hasAttribute("data-wire")
        || stub.getAttribute("data-built")) return;
    var spec = stub.getAttribute("data-wire") || "";
    var slash = spec.indexOf("/");
    var key = spec.slice(0, slash), name = spec.slice(slash + 1);
    if (slash < 0 || !SAFE.test(key) || !SAFE.test(name)) return;
    stub.setAttribute("data-built", "1");
    load(key, function (wire) { build(stub, wire, name); });
  }, true);
})();
