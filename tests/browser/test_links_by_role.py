"""A user meets no link to a page that would only refuse them: an AP clerk's Peg Trace
names the order without linking it, an AR clerk's shipment list names the pick wave."""

from django.urls import reverse
from playwright.sync_api import expect

from shipping.models import PickWave
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.helpers import place_order
from tests.web.shipping.support import released_in_bulk


def test_an_ap_clerk_traces_a_line_without_links_to_orders(page, live_server, world):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    login(page, live_server, "ap")
    page.goto(f"{live_server.url}{reverse('orchestration:peg_trace', args=[line.pk])}")

    trail = page.get_by_test_id("breadcrumbs")
    expect(trail).to_contain_text("Manage Orders")
    expect(trail).to_contain_text(line.order.number)
    expect(trail.get_by_role("link")).to_have_count(0)
    assert_page_reads_well(page, "peg trace as ap")
    shot(page, "links-01-ap-peg-trace")


def test_an_ar_clerk_sees_the_pick_wave_without_a_link(page, live_server, world):
    released_in_bulk(world, 1)
    wave = PickWave.objects.get()
    login(page, live_server, "ar")
    page.goto(f"{live_server.url}{reverse('shipping:shipment_list')}")

    expect(page.get_by_role("cell", name=wave.number)).to_be_visible()
    expect(page.get_by_role("link", name=wave.number)).to_have_count(0)
    assert_page_reads_well(page, "shipments as ar")
    shot(page, "links-02-ar-shipments")
