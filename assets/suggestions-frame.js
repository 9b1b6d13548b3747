// The search suggestions' frame: a sandboxed srcdoc frame (an opaque origin, so
// nothing here reaches the page), whose only script is this one, allowed by its
// hash in the page's policy. It takes Google's suggestion HTML by message, drops
// anything active, applies its styles through CSSOM (no <style> element: the
// page's policy allows no inline style at all) and shows the rest.
addEventListener("message", function (e) {
  if (e.source !== parent || typeof e.data !== "string") return;
  // The styles are taken out as text first: a <style> element, even in a
  // parsed document that is never shown, is checked against the policy.
  var css = "";
  var html = e.data.replace(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi, function (_, text) {
    css += text + "\n";
    return "";
  });
  var doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("style").forEach(function (s) {
    s.remove();
  });
  doc.querySelectorAll("script,iframe,frame,object,embed,form,base,meta,link").forEach(function (n) {
    n.remove();
  });
  doc.querySelectorAll("*").forEach(function (n) {
    for (var i = n.attributes.length - 1; i >= 0; i--) {
      var a = n.attributes[i];
      if (/^on/i.test(a.name) || /^\s*(javascript|data|vbscript):/i.test(a.value)) n.removeAttribute(a.name);
    }
    if (n.tagName === "A") {
      n.target = "_blank";
      n.rel = "noopener noreferrer";
    }
  });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [sheet];
  } catch (_) {}
  document.body.replaceChildren.apply(document.body, Array.from(doc.body.childNodes));
});
