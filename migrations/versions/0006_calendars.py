"""Calendars: feed links (HMAC-derived secrets, only their hash stored) and the versions
(UID, SEQUENCE, LAST-MODIFIED) of every item each calendar has shown.

Revision ID: 0006_calendars
Revises: 0005_switch
Create Date: 2026-12-01 22:03:46.068102

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_calendars'
down_revision = '0005_switch'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=60), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('identity', sa.String(length=120), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('last_modified', sa.DateTime(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_calendar_entries_sequence_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_calendar_entries_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_calendar_entries_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_calendar_entries_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_entries')),
    sa.UniqueConstraint('event_id', 'owner', 'identity', name='uq_calendar_entries_item')
    )
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_entries_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_entries_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_entries_room_id'), ['room_id'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=60), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(scope IN ('participant', 'presenter') AND participant_id IS NOT NULL AND room_id IS NULL) OR (scope = 'room' AND room_id IS NOT NULL AND participant_id IS NULL) OR (scope = 'programme' AND room_id IS NULL AND participant_id IS NULL)", name=op.f('ck_calendar_feeds_scope_target')),
    sa.CheckConstraint("scope IN ('participant', 'programme', 'room', 'presenter')", name=op.f('ck_calendar_feeds_valid_scope')),
    sa.CheckConstraint('length(nonce) >= 16', name=op.f('ck_calendar_feeds_nonce_long_enough')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_calendar_feeds_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_calendar_feeds_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_calendar_feeds_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('event_id', 'owner', name='uq_calendar_feeds_event_owner'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feeds_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feeds_room_id'), ['room_id'], unique=False)



def downgrade():
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_room_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_participant_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_event_id'))

    op.drop_table('calendar_feeds')
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_entries_room_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_entries_participant_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_entries_event_id'))

    op.drop_table('calendar_entries')
