"""The app page's own style and scripts (Gradio adds them to the page once signed in)."""

CSS = """
.source { border-left: 4px solid #c7d2fe; padding: 4px 10px; margin-bottom: 10px; }
.source.highlight { border-left-color: #f59e0b; background: #fffbeb; }
.source mark { background: #fde68a; }
.unsupported { color: #b91c1c; }
.low-confidence, .confidence.low { background: #fef3c7; color: #92400e; border: 1px solid #f59e0b; border-radius: 4px;
  padding: 1px 6px; }
.low-confidence { font-weight: 600; }
#chat .message:has(.low-confidence) { border-left: 4px solid #f59e0b; }
#library, #library * { font-family: var(--font) !important; }
#briefing-note li.highlight { background: #fffbeb; outline: 2px solid #f59e0b; }
#briefing-note table td:first-child, #briefing-note table th:first-child { word-break: keep-all; overflow-wrap: normal;
  hyphens: none; min-width: 9em; }
"""

# Clicking a [n] link in an answer (or a note) highlights and scrolls to passage n of its sources panel (or list).
HEAD = """<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#source-"], a[href^="#note-source-"]');
  if (!link) return;
  event.preventDefault();
  const anchor = document.getElementById(link.getAttribute('href').slice(1));
  if (!anchor) return;
  const target = anchor.classList.contains('source') ? anchor : (anchor.closest('li') || anchor);
  document.querySelectorAll('.highlight').forEach(el => el.classList.remove('highlight'));
  target.classList.add('highlight');
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
}, true);
</script>"""
