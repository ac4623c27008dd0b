"""PDF documents rendered by WeasyPrint from the same Jinja templates as the pages."""

from flask import Response, render_template
from weasyprint import HTML


def pdf_response(template: str, filename: str, **context) -> Response:
    html = render_template(template, **context)
    document = HTML(string=html).write_pdf()
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
