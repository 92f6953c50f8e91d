"""The automation's service: its rules and job queue in the server's database, the worker that
runs the jobs, and the poll of the remote folders that rules watch."""

from __future__ import annotations

from syncoxide.server.accountshares.store import AccountShareStore
from syncoxide.server.automation.database_queue import DatabaseJobQueue
from syncoxide.server.automation.places import RulePlaces
from syncoxide.server.automation.provider_files import ProviderJobs
from syncoxide.server.automation.provider_watch import PollTiming, ProviderArrivals
from syncoxide.server.automation.rules import AutomationRuleStore
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.automation.service import JOB_KIND, AutomationService
from syncoxide.server.automation.worker import JobWorker, WorkerSettings
from syncoxide.server.config import AutomationSettings, ServerConfig
from syncoxide.server.files.service import FileService
from syncoxide.server.links.service import LinkService
from syncoxide.server.rules.service import RuleService
from syncoxide.server.services import Services, store_database


def automation_service(
    config: ServerConfig,
    services: Services,
    files: FileService,
    links: LinkService,
    *,
    rules: RuleService,
    shares: AccountShareStore,
) -> AutomationService:
    """Rules and the job queue in the server's database; one worker per server process, and
    one poll of the folders of connections and shares that rules watch."""
    settings = config.automation()
    database = store_database(config, services)
    places = RulePlaces(rules.store, shares)
    seen = SeenStore(database)
    automation = AutomationService(
        rules=AutomationRuleStore(database),
        queue=DatabaseJobQueue(database),
        files=files,
        links=links,
        notifier=services.notifier,
        work_root=config.data_dir / "automation",
        places=places,
        provider_jobs=ProviderJobs(rules.connections, places, seen),
        settle_seconds=settings.settle_seconds,
    )
    automation.arrivals = ProviderArrivals(
        rules=automation.rules,
        places=places,
        connections=rules.connections,
        seen=seen,
        enqueue=automation.enqueue,
        give_up=automation.handoff_given_up,
        timing=PollTiming(every=settings.poll_seconds, quiet=settings.quiet_seconds),
    )
    automation.worker = _worker(automation, settings)
    files.changes.listen(automation.file_changed)
    links.arrival_listeners.append(automation.link_arrived)
    return automation


def _worker(automation: AutomationService, settings: AutomationSettings) -> JobWorker:
    worker_settings = WorkerSettings(
        slots=settings.workers, per_user=settings.per_user, lease=settings.lease_seconds
    )
    return JobWorker(
        automation.queue,
        {JOB_KIND: automation.run_job},
        worker_settings,
        on_finished=automation.job_finished,
        on_changed=automation.job_changed,
    )
