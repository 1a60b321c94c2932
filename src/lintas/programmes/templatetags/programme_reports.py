"""``{% report_links edition %}``: on an edition's page, the links to its report, certificates and cooperation page
for those who may open them, and the viewer's own certificate (decision 0042)."""

from django import template

from lintas.programmes.models import Certificate, EditionReport
from lintas.programmes.report import may_read_report

register = template.Library()


@register.inclusion_tag("programmes/_report_links.html", takes_context=True)
def report_links(context, edition):
    user = context["request"].user
    own = (
        Certificate.objects.visible_to(user)
        .filter(nomination__edition=edition, nomination__user=user, revoked_at__isnull=True)
        .first()
    )
    return {
        "edition": edition,
        "show_report": may_read_report(user, edition),
        "organiser": edition.organised_by(user),
        "certificate": own,
        "published": EditionReport.objects.filter(edition=edition, published_at__isnull=False).exists(),
    }
