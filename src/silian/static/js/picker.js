/* 四链 Silian — code picker: a text box that suggests codes as one types a name, a code or pinyin initials
 * (sk → 数控技术), from GET /api/v1/lookup/{kind}?q=…&limit=… (role-scoped for schools and enterprises).
 * No library, no inline script: load it with <script src="/static/js/picker.js" defer></script> and style it with
 * /static/records.css. Without JavaScript the box stays a plain text box (the server checks the code anyway).
 *
 * Put these attributes on an <input type="text"> (or type="search"):
 *   data-picker="majors"          the kind: majors | occupations | industries | regions | schools | enterprises (required)
 *   data-picker-kind-from="ID"    read the kind from the element with this id instead (e.g. a <select>)
 *   data-picker-name="ID"         an element whose text shows the chosen entry's name (cleared while typing)
 *   data-picker-limit="10"        how many suggestions (1–100; default 10)
 *   data-picker-min="1"           characters typed before asking (default 1)
 *   data-picker-empty="…"         text shown when nothing is found (default: none shown)
 *   data-picker-error="…"         text shown when the lookup fails
 *   data-picker-url="/api/v1/lookup"  the lookup endpoint (default shown)
 * Choosing a suggestion (click, or arrows then Enter) puts its code in the box, fires the box's "change" event and
 * a "picker:choose" event whose detail is {code, name, context}. Escape closes the list.
 */
(function () {
  "use strict";
  var counter = 0;

  function attach(input) {
    if (input.dataset.pickerReady) { return; }
    input.dataset.pickerReady = "1";
    counter += 1;
    var listId = "picker-list-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrapper.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var hits = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var nameBox = input.dataset.pickerName ? document.getElementById(input.dataset.pickerName) : null;

    function kind() {
      var from = input.dataset.pickerKindFrom ? document.getElementById(input.dataset.pickerKindFrom) : null;
      return from ? from.value : input.dataset.picker;
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function note(text) {
      list.textContent = "";
      if (!text) { close(); return; }
      var li = document.createElement("li");
      li.className = "picker-note";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = text;
      list.appendChild(li);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = list.querySelectorAll("li[data-index]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var hit = hits[index];
      if (!hit) { return; }
      input.value = hit.code;
      if (nameBox) { nameBox.textContent = hit.name; }
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.dispatchEvent(new CustomEvent("picker:choose", { bubbles: true, detail: hit }));
    }

    function show(data) {
      hits = data;
      list.textContent = "";
      active = -1;
      if (!hits.length) { note(input.dataset.pickerEmpty || ""); return; }
      hits.forEach(function (hit, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.index = String(index);
        [["picker-code", hit.code], ["picker-label", hit.name], ["picker-context", hit.context]].forEach(function (part) {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = part[1] || "";
          li.appendChild(span);
        });
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus in the box
        li.addEventListener("click", function () { choose(index); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      var typed = input.value.trim().toUpperCase();
      var exact = hits.filter(function (hit) { return hit.code.toUpperCase() === typed; })[0];
      if (exact && nameBox) { nameBox.textContent = exact.name; }
    }

    function ask() {
      var query = input.value.trim();
      var minimum = parseInt(input.dataset.pickerMin || "1", 10);
      if (query.length < minimum) { close(); return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var limit = parseInt(input.dataset.pickerLimit || "10", 10);
      var base = input.dataset.pickerUrl || "/api/v1/lookup";
      var url = base + "/" + encodeURIComponent(kind()) + "?q=" + encodeURIComponent(query) + "&limit=" + limit;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (body) { if (document.activeElement === input) { show(body.data || []); } })
        .catch(function (error) { if (error.name !== "AbortError") { note(input.dataset.pickerError || ""); } });
    }

    input.addEventListener("input", function () {
      if (nameBox) { nameBox.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && hits.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) { highlight(active + 1); } else { ask(); }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // choose, do not submit the form
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 120); });
  }

  function attachAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-picker]");
    for (var i = 0; i < inputs.length; i += 1) { attach(inputs[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { attachAll(); });
  } else {
    attachAll();
  }
  window.SilianPicker = { attach: attach, attachAll: attachAll };
}());
