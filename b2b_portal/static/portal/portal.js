// The portal's own behaviour, here and not inline: the Content-Security-Policy allows
// scripts from the portal's static files only.

// Print buttons: <button type="button" data-print>Print</button>.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
