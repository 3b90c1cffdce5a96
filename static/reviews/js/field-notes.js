// Moves each reviewer comment of the draft editor beside the field it is about. Without this script the
// comments stay listed at the top of the form, which still names each field.
document.addEventListener("DOMContentLoaded", function () {
  var fields = { used_for: "conditions" };
  document.querySelectorAll(".field-note[data-field]").forEach(function (note) {
    var key = note.getAttribute("data-field");
    var target = null;
    if (key.indexOf("section-") === 0) {
      var id = key.slice("section-".length);
      var input = document.querySelector('.inline-related input[name$="-id"][value="' + id.replace(/[^0-9]/g, "") + '"]');
      target = input && input.closest(".inline-related");
      if (target) { target = target.querySelector("fieldset") || target; }
    } else {
      target = document.querySelector(".form-row.field-" + (fields[key] || key));
    }
    if (!target) { return; }
    // A <div>, not the list item itself: a list item outside its list means nothing to a screen reader.
    var copy = document.createElement("div");
    copy.className = "field-note-beside";
    copy.setAttribute("role", "note");
    // The resolve boxes move rather than copy, so each is sent once with the form.
    var controls = note.querySelector(".resolve-controls");
    note.childNodes.forEach(function (child) { if (child !== controls) { copy.appendChild(child.cloneNode(true)); } });
    if (controls) { copy.appendChild(controls); }
    target.insertBefore(copy, target.firstChild);
  });
});
