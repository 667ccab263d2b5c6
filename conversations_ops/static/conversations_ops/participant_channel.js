// The participant add form shows the chosen channel's fields only (admin/participant_forms.py);
// without this script both blocks show and the server keeps the chosen channel's values.
document.addEventListener("DOMContentLoaded", () => {
  const show = () => {
    const chosen = document.querySelector('input[name="channel"]:checked')?.value;
    const chat = document.querySelector("fieldset.channel-chat");
    const phone = document.querySelector("fieldset.channel-phone");
    if (chat) chat.style.display = chosen === "chat" ? "" : "none";
    if (phone) phone.style.display = chosen === "chat" ? "none" : "";
  };
  document.querySelectorAll('input[name="channel"]').forEach((radio) => radio.addEventListener("change", show));
  show();
});
