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
"""

# Clicking a [n] link in an answer or a note highlights and scrolls to passage n of the sources beside it.
HEAD = """<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#source-"]');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(link.getAttribute('href').slice(1));
  if (!target) return;
  document.querySelectorAll('.source.highlight').forEach(el => el.classList.remove('highlight'));
  target.classList.add('highlight');
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
}, true);
</script>"""
