"""initial schema

Revision ID: 6a311e4dd8c2
Revises: 
Create Date: 2026-11-27 07:34:34.878650

"""
from alembic import op
import sqlalchemy as sa

import app.models.types

# revision identifiers, used by Alembic.
revision = '6a311e4dd8c2'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # The no-overlap rule mixes an equality (owner) and a range: btree_gist.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('owners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('boundaries', sa.JSON(), nullable=False),
    sa.Column('feed_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owners')),
    sa.UniqueConstraint('feed_token', name=op.f('uq_owners_feed_token')),
    sa.UniqueConstraint('slug', name=op.f('uq_owners_slug'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('offer_slug', sa.String(length=64), nullable=False),
    sa.Column('offer_title', sa.String(length=200), nullable=False),
    sa.Column('start', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occupied_start', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occupied_end', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'cancelled', name='bookingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('client_email', sa.String(length=320), nullable=False),
    sa.Column('client_timezone', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=16), nullable=True),
    sa.Column('late_cancellation', sa.Boolean(), nullable=False),
    sa.Column('late_fee', sa.String(length=200), nullable=True),
    sa.Column('reschedule_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('start < "end"', name=op.f('ck_bookings_booking_nonempty')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_bookings_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_bookings_manage_token_hash'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_client_email'), ['client_email'], unique=False)
        batch_op.create_index('ix_bookings_owner_start', ['owner_id', 'start'], unique=False)
    if postgres:
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
            "(owner_id WITH =, tstzrange(occupied_start, occupied_end, '[)') WITH &&) "
            "WHERE (status = 'confirmed')"
        )

    op.create_table('calendar_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ics', 'google', name='sourcekind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('last_success_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=True),
    sa.Column('etag', sa.String(length=512), nullable=True),
    sa.Column('last_modified', sa.String(length=128), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('sync_state', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_calendar_sources_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_sources'))
    )
    with op.batch_alter_table('calendar_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_sources_owner_id'), ['owner_id'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_idempotency_records_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('owner_id', 'key', name='uq_idempotency_owner_key')
    )
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('client_timezone', sa.String(length=64), nullable=True),
    sa.Column('received_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reply_due_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_messages_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_owner_due', ['owner_id', 'reply_due_at'], unique=False)

    op.create_table('busy_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('external_id', sa.String(length=1024), nullable=True),
    sa.CheckConstraint('start < "end"', name=op.f('ck_busy_blocks_busy_nonempty')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_busy_blocks_owner_id_owners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['calendar_sources.id'], name=op.f('fk_busy_blocks_source_id_calendar_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_busy_blocks'))
    )
    with op.batch_alter_table('busy_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_busy_blocks_owner_start', ['owner_id', 'start'], unique=False)
        batch_op.create_index(batch_op.f('ix_busy_blocks_source_id'), ['source_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('to', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_after', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_outbox_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_outbox_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'send_after'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
        batch_op.drop_index(batch_op.f('ix_outbox_booking_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('busy_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_busy_blocks_source_id'))
        batch_op.drop_index('ix_busy_blocks_owner_start')

    op.drop_table('busy_blocks')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_owner_due')

    op.drop_table('messages')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('calendar_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_sources_owner_id'))

    op.drop_table('calendar_sources')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_owner_start')
        batch_op.drop_index(batch_op.f('ix_bookings_client_email'))

    op.drop_table('bookings')
    op.drop_table('owners')
