"""Receipt and invoice PDFs, rendered from HTML templates with WeasyPrint."""

from portal.documents.render import render_invoice_pdf, render_receipt_pdf

__all__ = ["render_invoice_pdf", "render_receipt_pdf"]
