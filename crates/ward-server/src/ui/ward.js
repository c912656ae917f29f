// Progressive enhancement for the findings table: a "select all" box in the header. Every
// page works without this script; it only saves clicks.
document.addEventListener('DOMContentLoaded', () => {
  const head = document.querySelector('#findings thead th.select');
  if (!head) return;
  const all = document.createElement('input');
  all.type = 'checkbox';
  all.id = 'select-all';
  all.setAttribute('aria-label', 'Select every finding on this page');
  all.addEventListener('change', () => {
    for (const box of document.querySelectorAll('#findings tbody input[type=checkbox]')) {
      box.checked = all.checked;
    }
  });
  head.append(all);
});
