"""The one factory: config -> database -> services (-> app). The CLI and the tests use it.

The services selling never uses (reports, analysis, loyalty analytics, campaigns, the
product importer, backups) are built on first use, and their modules imported then: a
register that only sells never loads them (issue 17, memory while selling).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from tui_pos.config import Config, backup_dir
from tui_pos.devices import Devices, make_devices
from tui_pos.domain.barcode import BarcodeParser, BarcodeRule
from tui_pos.domain.errors import ConfigError, PosError
from tui_pos.domain.loyalty import LoyaltyRules, Tier
from tui_pos.domain.pin import DEFAULT_COST, ScryptCost
from tui_pos.domain.quantity import QuantityLimits
from tui_pos.domain.receipt import ReceiptStyle
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tax import TaxRate
from tui_pos.models.cart_journal_store import SqliteCartJournalStore
from tui_pos.models.cash_store import SqliteCashStore
from tui_pos.models.catalog_repo import SqliteCatalog
from tui_pos.models.coupon_store import SqliteCouponStore
from tui_pos.models.customer_history import SqliteCustomerHistory
from tui_pos.models.customer_store import SqliteCustomerStore
from tui_pos.models.drawer_store import SqliteDrawerEventStore
from tui_pos.models.loyalty_store import SqliteLoyaltyLedger
from tui_pos.models.mail_store import SqliteMailOutbox
from tui_pos.models.online_order_store import SqliteOnlineOrderStore
from tui_pos.models.pin_recovery import SqliteRecoveryCodes
from tui_pos.models.print_store import SqlitePrintJobStore
from tui_pos.models.promotion_store import SqlitePromotionStore
from tui_pos.models.return_store import SqliteReturnStore
from tui_pos.models.sale_store import SqliteSaleStore
from tui_pos.models.staff_store import SqliteStaffStore
from tui_pos.models.stamp_store import SqliteStampCards
from tui_pos.models.stock_store import SqliteStockStore
from tui_pos.models.tax_codes import SqliteTaxCodes, rates_in_force, sync_tax_codes
from tui_pos.models.times import utc_now
from tui_pos.models.unit_of_work import SqliteUnitOfWork
from tui_pos.report_till import analysis_service, report_service
from tui_pos.services.cart_journal import CartJournal
from tui_pos.services.cash import CashDesk
from tui_pos.services.coupons import Coupons
from tui_pos.services.customers import Customers
from tui_pos.services.drawer import Drawer
from tui_pos.services.mail import MailPolicy, MailTransport, Outbox
from tui_pos.services.online_orders import OnlineOrders
from tui_pos.services.open_sale import RegisterSettings
from tui_pos.services.pin_recovery import RecoveryCodes
from tui_pos.services.ports import Clock, ReceiptPrinter
from tui_pos.services.printing import PrintQueue
from tui_pos.services.promotions import Promotions
from tui_pos.services.receipt_mail import ReceiptMailer
from tui_pos.services.receipts import Receipts
from tui_pos.services.register import Register
from tui_pos.services.remote_returns import RemoteReturns, WebRefund
from tui_pos.services.returns import Returns
from tui_pos.services.sale_writer import SaleWriter
from tui_pos.services.staff import Staff
from tui_pos.services.stock import Stock
from tui_pos.services.tax_codes import TaxCodes
from tui_pos.sync.client import refusal_text
from tui_pos.sync.coupons import CouponReservations
from tui_pos.sync.customer_history import StoreServerHistory
from tui_pos.sync.remote import OrganisationPoints, StoreServerReturns
from tui_pos.till_db import open_till_database, staff_settings

if TYPE_CHECKING:
    from peewee import Database

    from tui_pos.services.analysis import Analysis
    from tui_pos.services.backups import Backups
    from tui_pos.services.campaigns import Campaigns
    from tui_pos.services.loyalty_analytics import LoyaltyAnalytics
    from tui_pos.services.product_import import CatalogWriter, ImportSummary
    from tui_pos.services.reports import Reports
    from tui_pos.services.unit_of_work import UnitOfWork


@dataclass
class Till:
    """Everything one till runs on, wired together. The services selling never uses are
    properties built (and their modules imported) on first use, once per till."""

    config: Config
    db: Database
    db_path: Path
    #: Where the backups after a Z close go (None: none are made), resolved at the start:
    #: a ``database.backup_dir`` that cannot be resolved stops the start, not the Z close.
    z_backup_folder: Path | None
    #: The till's clock and unit of work, which the services built on first use share.
    clock: Clock
    uow: UnitOfWork
    parser: BarcodeParser
    catalog: SqliteCatalog
    register: Register
    receipts: Receipts
    print_queue: PrintQueue
    drawer: Drawer
    devices: Devices
    cart_journal: CartJournal
    staff: Staff
    cash: CashDesk
    returns: Returns
    stock: Stock
    promotions: Promotions
    online_orders: OnlineOrders
    customers: Customers
    #: Built with the till: the App reads ``configured`` at its start, and the Outbox's
    #: lock (no two delivery passes at once) holds only if there is one Outbox.
    outbox: Outbox
    tax_codes: TaxCodes
    recovery_codes: RecoveryCodes
    #: Stores paid sales off the UI thread (the app's register screen uses it).
    sale_writer: SaleWriter | None = None
    #: Queues e-mail receipts in the outbox (the payment screen's key).
    receipt_mail: ReceiptMailer | None = None
    #: The recovery code issued when this open made the database: shown once, never kept.
    recovery_code: str | None = None
    #: Returns of sales of other tills and stores and of web orders (the store server).
    remote_returns: RemoteReturns | None = None

    @property
    def printer_note(self) -> str:
        """Where receipts go, for the status bar."""
        return self.devices.printer_note

    @cached_property
    def reports(self) -> Reports:
        """X and Z reports and the day close."""
        return report_service(self.db, self.uow, self.staff, self.config.store.till, self.clock)

    @cached_property
    def analysis(self) -> Analysis:
        """The analysis reports (sales by hour, product, staff ...)."""
        return analysis_service(self.db, self.config.store.till, self.clock)

    @cached_property
    def loyalty_analytics(self) -> LoyaltyAnalytics:
        """The loyalty programme's reports."""
        from tui_pos.models.loyalty_analytics_store import SqliteLoyaltyAnalyticsStore
        from tui_pos.services.loyalty_analytics import LoyaltyAnalytics

        store = SqliteLoyaltyAnalyticsStore(self.db)
        return LoyaltyAnalytics(
            store, self.customers.rules, self.config.store.till, self.clock, None
        )

    @cached_property
    def campaigns(self) -> Campaigns:
        """Mail campaigns to a segment of the customers."""
        from tui_pos.models.campaign_store import SqliteCampaignStore
        from tui_pos.services.campaigns import Campaigns

        return Campaigns(
            SqliteCampaignStore(self.db),
            self.customers,
            self.config.store.name,
            self.config.store.till,
            self.clock,
        )

    @cached_property
    def catalog_writer(self) -> CatalogWriter:
        """Where product imports write (``import_products``)."""
        from tui_pos.models.catalog_writer import SqliteCatalogWriter

        return SqliteCatalogWriter(self.db)

    @cached_property
    def backups(self) -> Backups:
        """Database backups: on demand, restore, and after a Z close."""
        from tui_pos.models.backup_files import SqliteBackupFiles
        from tui_pos.services.backups import Backups, ZBackups

        files = SqliteBackupFiles(self.db_path, self.db.close)
        after_z = ZBackups(self.z_backup_folder, self.config.database.backup_keep)
        return Backups(files, self.staff, self.clock, after_z)

    def import_products(
        self, lines: Iterable[str], approval: Approval | None = None, *, dry_run: bool = False
    ) -> ImportSummary:
        """Import product CSV ``lines`` into this till's catalogue (its tax codes, barcode
        rules, till id and clock): all rows valid or nothing written. ``approval`` must
        cover PRODUCT_ADMIN (a dry run writes nothing and needs none)."""
        from tui_pos.services.product_import import import_products

        if not dry_run:
            self.staff.authorize(Action.PRODUCT_ADMIN, approval, "import products")
        return import_products(
            lines,
            self.catalog_writer,
            list(self.register.tax_rates()),
            self.parser,
            till=self.config.store.till,
            now=self.register.clock(),
            dry_run=dry_run,
        )

    def close(self) -> None:
        """Close the database connection (and the sale writer's thread and connection)."""
        if self.sale_writer is not None:
            self.sale_writer.close()
        self.db.close()


def tax_rates(config: Config) -> dict[str, TaxRate]:
    """The configured tax codes by code."""
    return {t.code: TaxRate(t.code, t.name, t.rate_bp) for t in config.taxes}


def loyalty_rules(config: Config) -> LoyaltyRules:
    """The ``[loyalty]`` section as the domain's rules."""
    c = config.loyalty
    return LoyaltyRules(
        enabled=c.enabled,
        points_per_unit=c.points_per_unit,
        category_multipliers=MappingProxyType(dict(c.category_multipliers)),
        point_value_cents=c.point_value,
        redeem_min_points=c.redeem_min_points,
        redeem_max_share=c.redeem_max_share,
        tiers=tuple(Tier(t.name, t.min_spend, t.multiplier) for t in c.tiers),
        birthday_window_days=c.birthday_window_days,
        birthday_points=c.birthday_points,
    )


def barcode_parser(config: Config) -> BarcodeParser:
    """The parser with the store's in-store barcode rules."""
    rules = []
    for pattern, kind in config.barcodes.rules:
        try:
            rules.append(BarcodeRule(pattern, kind))  # type: ignore[arg-type]
        except ValueError as exc:
            raise ConfigError(f"barcodes.rules: {exc}") from exc
    return BarcodeParser(rules)


def open_till(
    config: Config,
    db_path: Path | None = None,
    *,
    printer: ReceiptPrinter | None = None,
    devices: Devices | None = None,
    clock: Clock = utc_now,
    pin_cost: ScryptCost = DEFAULT_COST,
) -> Till:
    """Open (creating and migrating as needed) the database and build the services.

    ``devices`` (or just a ``printer``) replaces the configured devices, for tests;
    ``pin_cost`` makes PIN hashing cheaper in tests.
    """
    opened = open_till_database(config, db_path, clock)
    db, path, pepper = opened.db, opened.path, opened.pepper
    sync_tax_codes(db, list(tax_rates(config).values()))
    configured = [t.code for t in config.taxes]
    taxes = rates_in_force(db, configured)  # the config's, unless set by command or server
    parser = barcode_parser(config)
    catalog = SqliteCatalog(db)
    rules = loyalty_rules(config)
    ledger = SqliteLoyaltyLedger(db, rules)
    store = SqliteSaleStore(db, ledger)  # a sale's points are stored in its transaction
    till_id = config.store.till
    uow = SqliteUnitOfWork(db, till_id)  #: one per till: each use case's `with uow:`
    if devices is None:
        devices = (
            Devices(printer, "receipts to the given printer")
            if printer is not None
            else make_devices(config, path)
        )
    settings = RegisterSettings(
        till=till_id,
        taxes=taxes,
        prices_include_tax=config.store.prices_include_tax,
        cash_step=config.store.cash_rounding,
        limits=QuantityLimits(config.barcodes.max_quantity, config.barcodes.max_weight_grams),
        card_reference_required=config.store.card_reference_required,
    )
    style = ReceiptStyle(
        store_name=config.store.name,
        address=tuple(config.store.address),
        footer=tuple(config.store.receipt_footer),
        currency=config.store.currency,
        width=config.printer.width,
        timezone=None,
        prices_include_tax=config.store.prices_include_tax,
    )
    receipts = Receipts(
        store, devices.printer, style, till_id, SqliteCouponStore(db), SqliteStampCards(db)
    )
    # The open sale is journaled on every change (payments too) and comes back after a crash.
    journal = CartJournal(SqliteCartJournalStore(db), till_id, clock)
    staff = Staff(
        SqliteStaffStore(db), uow, till_id, pepper, clock, staff_settings(config, pin_cost)
    )
    promotions = Promotions(SqlitePromotionStore(db), catalog, parser, clock, staff)
    register = Register(
        catalog,
        store,
        parser,
        settings,
        clock,
        uow=uow,
        auth=staff,
        journal=journal,
        promotions=promotions.active,
    )
    try:
        restored = journal.restore(taxes, config.store.prices_include_tax)
    except PosError:
        restored = None  # set aside and logged (journal.problem): start with an empty sale
    if restored is not None:
        register.restore_open_sale(restored.cart, restored.payments, restored.rounding_cents)
    customers = Customers(
        SqliteCustomerStore(db, till_id),
        SqliteCustomerHistory(db),
        ledger,
        rules,
        till_id,
        clock,
        staff,
    )
    register.on_customer_card = lambda card: (
        f"Customer: {customers.attach_card(register, card).name}"
    )
    coupons = Coupons(SqliteCouponStore(db), customers, clock)
    register.on_coupon = lambda code: coupons.apply(register, code)
    staff.on_change = lambda employee: setattr(register, "cashier", employee)
    register.tax_rates = lambda: rates_in_force(db, configured)  # read as each sale starts
    register.reserve_coupon = CouponReservations(db)  # asks the store server when enrolled
    loyalty = config.loyalty  # online the organisation's balance, offline the policy
    customers.points_authority = OrganisationPoints(
        db, loyalty.offline_redeem, loyalty.offline_redeem_cap_points, ledger.grant
    )
    customers.organisation_history = StoreServerHistory(db)  # the profile, when enrolled
    returns = Returns(register, SqliteReturnStore(db))
    web_refund: WebRefund = "card" if config.store.web_refund == "card" else "store_credit"
    return Till(
        config=config,
        db=db,
        db_path=path,
        z_backup_folder=backup_dir(config, path) if config.database.backup_on_z else None,
        clock=clock,
        uow=uow,
        parser=parser,
        catalog=catalog,
        register=register,
        receipts=receipts,
        print_queue=PrintQueue(SqlitePrintJobStore(db), store, receipts, till_id, clock),
        drawer=Drawer(
            devices.drawer,
            SqliteDrawerEventStore(db),
            staff,
            till=till_id,
            pin=config.drawer.pin,
            pulse_ms=config.drawer.pulse_ms,
            clock=clock,
        ),
        devices=devices,
        cart_journal=journal,
        staff=staff,
        cash=CashDesk(SqliteCashStore(db), uow, staff, till_id, clock),
        returns=returns,
        stock=Stock(SqliteStockStore(db), staff, register.line_for, till_id, clock),
        promotions=promotions,
        online_orders=OnlineOrders(
            SqliteOnlineOrderStore(db),
            catalog,
            parser,
            till_id,
            clock,
            staff,
            credit_loyalty=customers.credit_online_order,
            match_customer=customers.match_order,
        ),
        customers=customers,
        outbox=Outbox(SqliteMailOutbox(db), mail_transport(config), mail_policy(config), clock),
        tax_codes=TaxCodes(SqliteTaxCodes(db, till_id), lambda: register.tax_rates(), uow, staff),
        recovery_codes=RecoveryCodes(SqliteRecoveryCodes(db, till_id), uow, staff, clock),
        sale_writer=SaleWriter(register, config.database.busy_timeout_ms, db.close),
        receipt_mail=ReceiptMailer(SqliteMailOutbox(db), receipts, clock),
        recovery_code=opened.recovery_code,
        remote_returns=RemoteReturns(returns, StoreServerReturns(db), web_refund, refusal_text),
    )


def mail_transport(config: Config) -> MailTransport | None:
    """The SMTP transport of ``[mail]`` (None without a host: mail waits in the outbox)."""
    if not config.mail.host:
        return None
    from tui_pos.drivers.smtp_mail import SmtpTransport

    return SmtpTransport(config.mail)


def mail_policy(config: Config) -> MailPolicy:
    """Rate limit and retries of ``[mail]``."""
    m = config.mail
    return MailPolicy(m.rate_per_minute, m.max_attempts, m.retry_seconds)
