/* qapidoc: QAPI definitions and members in Sphinx's search page.

   Reads the compact "qapi" table of searchindex.js (sphinx_ext/domain/search.py):
   a definition is a hit named by its name and kind ("query-block", "command,
   in QMP Reference"), ranked above text matches; members whose own name
   matches give one hit per definition ("blockdev-mirror.job-id", or
   "BlockdevOptionsNbd: server, export" for several).  "NS:name" limits to a
   namespace, "Definition.member" searches the members of matching
   definitions.  Everything else is Sphinx's own search, unchanged. */
(function () {
  "use strict";
  if (typeof Search === "undefined") return;

  var DEFINITION_EXACT = 40, DEFINITION_PART = 16, MEMBER_EXACT = 16, MEMBER_PART = 3;
  var current = null, searched = null;

  function containsAll(words, text) {
    for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return false;
    return true;
  }

  function qapiSearch(raw) {
    var table = Search._index && Search._index.qapi;
    if (!table) return [];
    var docNames = Search._index.docnames, filenames = Search._index.filenames;
    var titles = Search._index.titles;
    var query = raw.toLowerCase().trim(), namespace = null;
    var colon = query.indexOf(":");
    if (colon > 0 && query.indexOf(" ") < 0) {
      namespace = query.slice(0, colon);
      query = query.slice(colon + 1);
    }
    var words = query.split(/\s+/).filter(function (w) { return w; });
    if (!words.length) return [];
    var first = words[0], rest = words.slice(1);
    var dot = words.length === 1 ? first.lastIndexOf(".") : -1;
    var ofDefinition = dot >= 0 ? first.slice(0, dot) : null;
    var memberWord = dot >= 0 ? first.slice(dot + 1) : first;
    var results = [];
    Object.keys(table.namespaces).forEach(function (ns) {
      if (namespace !== null && ns.toLowerCase() !== namespace) return;
      var prefix = ns ? "qapi-" + ns + "." : "qapi-";
      table.namespaces[ns].forEach(function (row) {
        var doc = row[0], kind = table.kinds[row[1]], name = row[2];
        var anchor = row[3] || prefix + table.infix[row[1]] + "-" + name;
        var lower = name.toLowerCase(), title = titles[doc];
        var context = kind + " " + title.toLowerCase();
        if (ofDefinition === null && lower.indexOf(first) >= 0
            && containsAll(rest, lower + " " + context)) {
          var score = lower === first ? DEFINITION_EXACT
            : DEFINITION_PART + Math.round((10 * first.length) / lower.length);
          results.push([docNames[doc], name, "#" + anchor, kind + ", in " + title,
                        score, filenames[doc], "object"]);
        }
        if (!row[4] || !memberWord) return;
        if (ofDefinition !== null && lower.indexOf(ofDefinition) < 0) return;
        if (!containsAll(rest, lower + " " + context)) return;
        var hits = [], best = 0;
        row[4].forEach(function (group) {
          var memberKind = table.kinds[group[0]], infix = table.infix[group[0]];
          for (var i = 1; i < group.length; i++) {
            var entry = group[i];
            var member = typeof entry === "string" ? entry : entry[0];
            var at = member.toLowerCase().indexOf(memberWord);
            if (at < 0) continue;
            var exact = member.length === memberWord.length;
            best = Math.max(best, exact ? MEMBER_EXACT
              : MEMBER_PART + Math.round((5 * memberWord.length) / member.length));
            hits.push([member, typeof entry === "string"
              ? anchor + "." + infix + "-" + member : entry[1], memberKind, exact]);
          }
        });
        if (!hits.length) return;
        hits.sort(function (a, b) { return (b[3] ? 1 : 0) - (a[3] ? 1 : 0); });
        var shown = hits.length === 1 ? name + "." + hits[0][0]
          : name + ": " + hits.slice(0, 5).map(function (h) { return h[0]; }).join(", ")
            + (hits.length > 5 ? ", …" : "");
        var what = hits[0][2] + (hits.length > 1 ? "s" : "") + " of " + kind;
        results.push([docNames[doc], shown, "#" + hits[0][1], what + ", in " + title,
                      best, filenames[doc], "object"]);
      });
    });
    return results;
  }

  var query = Search.query;
  Search.query = function (text) {
    current = text;
    searched = null;
    return query(text);
  };
  var objectSearch = Search.performObjectSearch;
  Search.performObjectSearch = function (object, objectTerms) {
    var results = objectSearch(object, objectTerms);
    if (current !== null && searched !== current) {
      searched = current;
      results = results.concat(qapiSearch(current));
    }
    return results;
  };
})();
