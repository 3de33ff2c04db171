"""Scheduling: solve jobs (one active per event), progress samples, publications and
their per-participant snapshots.

Revision ID: 0003_scheduling
Revises: 0002_registration
Create Date: 2026-11-25 13:35:57.076950

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_scheduling'
down_revision = "0002_registration"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('version >= 1', name=op.f('ck_publications_version_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_publications_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publications_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('event_id', 'version', name='uq_publications_event_version')
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_published_by_id'), ['published_by_id'], unique=False)

    op.create_table('solve_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('backend', sa.String(length=10), nullable=False),
    sa.Column('time_limit_s', sa.Integer(), nullable=False),
    sa.Column('change_penalty', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('elapsed_s', sa.Float(), nullable=True),
    sa.Column('best', sa.Float(), nullable=True),
    sa.Column('bound', sa.Float(), nullable=True),
    sa.Column('solver_status', sa.String(length=20), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('instance', sa.JSON(), nullable=False),
    sa.Column('solution', sa.JSON(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("backend IN ('thread', 'rq')", name=op.f('ck_solve_jobs_valid_backend')),
    sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'cancelled', 'failed')", name=op.f('ck_solve_jobs_valid_status')),
    sa.CheckConstraint('change_penalty >= 0', name=op.f('ck_solve_jobs_change_penalty_not_negative')),
    sa.CheckConstraint('time_limit_s > 0', name=op.f('ck_solve_jobs_time_limit_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_solve_jobs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_solve_jobs_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_jobs'))
    )
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_jobs_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_solve_jobs_one_active_per_event', ['event_id'], unique=True, sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))

    op.create_table('published_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.JSON(), nullable=False),
    sa.Column('workshops', sa.JSON(), nullable=False),
    sa.Column('rooms', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_published_schedules_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_published_schedules_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_schedules')),
    sa.UniqueConstraint('publication_id', 'participant_id', name='uq_published_schedules_participant')
    )
    with op.batch_alter_table('published_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_schedules_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_published_schedules_publication_id'), ['publication_id'], unique=False)

    op.create_table('solve_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('best', sa.Float(), nullable=True),
    sa.Column('bound', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['solve_jobs.id'], name=op.f('fk_solve_progress_job_id_solve_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_progress'))
    )
    with op.batch_alter_table('solve_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_progress_job_id'), ['job_id'], unique=False)



def downgrade():
    with op.batch_alter_table('solve_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_progress_job_id'))

    op.drop_table('solve_progress')
    with op.batch_alter_table('published_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_schedules_publication_id'))
        batch_op.drop_index(batch_op.f('ix_published_schedules_participant_id'))

    op.drop_table('published_schedules')
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_solve_jobs_one_active_per_event', sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))
        batch_op.drop_index(batch_op.f('ix_solve_jobs_event_id'))
        batch_op.drop_index(batch_op.f('ix_solve_jobs_created_by_id'))

    op.drop_table('solve_jobs')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_published_by_id'))
        batch_op.drop_index(batch_op.f('ix_publications_event_id'))

    op.drop_table('publications')
