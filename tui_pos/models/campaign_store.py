"""Campaigns, their members, coupons and unsubscribe tokens, and the consent log, on
SQLite. A campaign is stored whole in one transaction with its outbox rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from peewee import Database

from tui_pos.models.customer_stamps import log_consent
from tui_pos.models.errors import storage_errors
from tui_pos.models.mail_store import insert_mail
from tui_pos.models.times import stamp
from tui_pos.models.unit_of_work import writing
from tui_pos.services.campaigns import NewCampaign


class SqliteCampaignStore:
    """Implements :class:`tui_pos.services.campaigns.CampaignStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def name_taken(self, name: str) -> bool:
        """Whether a campaign of that name exists."""
        with storage_errors():
            row = self.db.execute_sql("SELECT 1 FROM campaign WHERE name = ?", (name,)).fetchone()
        return row is not None

    def create(self, campaign: NewCampaign, till: str, now: datetime) -> int:
        """Campaign, members (mail and control), coupons, tokens and mails, all or nothing."""
        at = stamp(now)
        coupon = campaign.coupon
        with writing(self.db, till):
            cursor = self.db.execute_sql(
                "INSERT INTO campaign (name, segment, template, subject, control_percent,"
                " coupon_kind, coupon_value, sent_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    campaign.name,
                    campaign.segment,
                    campaign.template,
                    campaign.subject,
                    campaign.control_percent,
                    coupon.kind if coupon else "",
                    coupon.value if coupon else 0,
                    campaign.sent_by,
                    at,
                ),
            )
            campaign_id = int(cursor.lastrowid)
            for customer_id in campaign.control:
                self.db.execute_sql(
                    "INSERT INTO campaign_member (campaign_id, customer_id, grp)"
                    " VALUES (?, ?, 'control')",
                    (campaign_id, customer_id),
                )
            for m in campaign.mailed:
                self.db.execute_sql(
                    "INSERT INTO campaign_member (campaign_id, customer_id, grp)"
                    " VALUES (?, ?, 'mail')",
                    (campaign_id, m.customer_id),
                )
                if coupon and m.coupon_code:
                    self.db.execute_sql(
                        "INSERT INTO coupon (code, customer_id, campaign_id, kind, value,"
                        " valid_from, valid_to, till, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (
                            m.coupon_code,
                            m.customer_id,
                            campaign_id,
                            coupon.kind,
                            coupon.value,
                            now.date().isoformat(),
                            coupon.valid_to.isoformat(),
                            till,
                            at,
                        ),
                    )
                self.db.execute_sql(
                    "INSERT INTO unsubscribe_token (token, customer_id, campaign_id, created_at)"
                    " VALUES (?,?,?,?)",
                    (m.token, m.customer_id, campaign_id, at),
                )
                insert_mail(self.db, replace(m.mail, campaign_id=campaign_id), now)
        return campaign_id

    def unsubscribe(
        self, token: str, till: str, now: datetime, via: str = ""
    ) -> tuple[int, bool] | None:
        """Opt the token's customer out: consent log (``via`` says how it came, after the
        campaign), profile, queued campaign mail."""
        with writing(self.db, till):
            row = self.db.execute_sql(
                "SELECT t.customer_id, c.marketing_consent, k.name FROM unsubscribe_token t"
                " JOIN customer c ON c.id = t.customer_id"
                " LEFT JOIN campaign k ON k.id = t.campaign_id WHERE t.token = ?",
                (token,),
            ).fetchone()
            if row is None:
                return None
            customer_id, consent, campaign = int(row[0]), bool(row[1]), row[2]
            if not consent:
                return customer_id, True
            self.db.execute_sql(
                "UPDATE customer SET updated_at = ? WHERE id = ?", (stamp(now), customer_id)
            )
            log_consent(
                self.db,
                customer_id,
                False,
                "unsubscribe",
                f"token of campaign {campaign}{via}",
                now,
            )
            self.db.execute_sql(
                "UPDATE mail_outbox SET status = 'dropped', last_error = 'unsubscribed'"
                " WHERE customer_id = ? AND kind = 'campaign' AND status = 'queued'",
                (customer_id,),
            )
        return customer_id, False
