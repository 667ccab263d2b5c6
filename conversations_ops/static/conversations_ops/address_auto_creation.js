// The address configuration form shows only the chosen auto-creation type's fieldset (webhook or
// Studio flow). Without this script every field shows and the server drops the values of the
// types not chosen (AddressConfiguration.clear_other_type_fields), so nothing depends on it.
(function () {
  "use strict";
  function show(type) {
    document.querySelectorAll("fieldset.auto-creation-webhook, fieldset.auto-creation-studio").forEach(function (fieldset) {
      fieldset.style.display = fieldset.classList.contains("auto-creation-" + type) ? "" : "none";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_auto_creation_type");
    if (!select) return; // read-only page: every field shows
    show(select.value);
    select.addEventListener("change", function () { show(select.value); });
  });
})();
