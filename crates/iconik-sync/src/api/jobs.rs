//! `client.jobs()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`JobsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __jobs_surface {
    ($cb:ident) => {
        $cb! {
            /// Jobs: `client.jobs()`.
            JobsApi(jobs) => "jobs" {
                /// Creates a job (e.g. to show an integration's progress in iconik).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{JobCreate, JobStatus, JobType};
                /// let job = client.jobs().create(
                ///     &JobCreate::new(JobStatus::Started, "Copy to archive", JobType::Custom).progress(0),
                /// )?;
                /// println!("{:?}", job.id);
                /// # Ok(()) }
                /// ```
                call fn create(body: &JobCreate) -> Result<Response<Job>>
                    = Post "/v1/jobs/" => |op| op.json(body).send();

                /// Changes the fields set in `body` of a job (PATCH), e.g. its progress.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{Job, JobStatus, JobUpdateParams};
                /// client.jobs().update(
                ///     "7a2b0000-0000-0000-0000-000000000000",
                ///     &Job::default().status(JobStatus::Finished).progress(100),
                ///     &JobUpdateParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when there is no such job.
                call fn update(job_id: &str, body: &Job, params: &JobUpdateParams) -> Result<Response<Job>>
                    = Patch "/v1/jobs/{job_id}/" => |op| op.path_param(job_id).query_params(params).json(body).send();

                /// Gets one job.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let job = client.jobs().get("7a2b0000-0000-0000-0000-000000000000")?;
                /// println!("{:?} {:?}", job.data.status, job.progress);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when there is no such job.
                call fn get(job_id: &str) -> Result<Response<Job>>
                    = Get "/v1/jobs/{job_id}/" => |op| op.path_param(job_id).send();

                /// Fetches one page of jobs, filtered by `params` (which also take
                /// `search_after`, the JSON text of the previous page's `search_after`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::JobListParams;
                /// let page = client.jobs().list(&JobListParams::default().status(vec!["FAILED".to_string()]))?;
                /// println!("{:?} failed jobs", page.total);
                /// # Ok(()) }
                /// ```
                call fn list(params: &JobListParams) -> Result<Response<Page<Job>>>
                    = Get "/v1/jobs/" => |op| op.query_params(params).send();

                /// Every job matching `params`, fetched lazily page by page (`page=1, 2,
                /// ...`). iconik answers at most 10,000 items this way; use
                /// [`list_all_after`](Self::list_all_after) for more.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::JobListParams;
                /// for job in client.jobs().list_all(&JobListParams::default().per_page(100u32)) {
                ///     println!("{:?}", job?.title);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn list_all(params: &JobListParams) -> Paginator<Job>
                    = Get "/v1/jobs/" => |op| Paginator::new(op.query_params(params), Style::PageNumber);

                /// Every job matching `params`, fetched lazily with `search_after`: each
                /// request carries the previous page's `search_after` (the sort values of
                /// its last job) as JSON text in the query. No 10,000-item limit.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::JobListParams;
                /// let n = client.jobs().list_all_after(&JobListParams::default().sort("date_created")).count();
                /// # Ok(()) }
                /// ```
                iter fn list_all_after(params: &JobListParams) -> Paginator<Job>
                    = Get "/v1/jobs/" => |op| Paginator::new(op.query_params(params), Style::SearchAfter);

                /// Cancels (aborts) a job: `PUT /v1/jobs/state/` with action `ABORT` (iconik has
                /// no per-job path for this).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.jobs().cancel("7a2b0000-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn cancel(job_id: &str) -> Result<Response<serde_json::Value>>
                    = Put "/v1/jobs/state/" => |op| op.json(&JobsState::new(JobAction::Abort, vec![job_id.to_owned()])).send();

                /// Pauses a job: `PUT /v1/jobs/state/` with action `PAUSE` (iconik has
                /// no per-job path for this).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.jobs().pause("7a2b0000-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn pause(job_id: &str) -> Result<Response<serde_json::Value>>
                    = Put "/v1/jobs/state/" => |op| op.json(&JobsState::new(JobAction::Pause, vec![job_id.to_owned()])).send();

                /// Resumes a job: `PUT /v1/jobs/state/` with action `RESUME` (iconik has
                /// no per-job path for this).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.jobs().resume("7a2b0000-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn resume(job_id: &str) -> Result<Response<serde_json::Value>>
                    = Put "/v1/jobs/state/" => |op| op.json(&JobsState::new(JobAction::Resume, vec![job_id.to_owned()])).send();

                /// Restarts a job: `PUT /v1/jobs/state/` with action `RESTART` (iconik has
                /// no per-job path for this).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.jobs().restart("7a2b0000-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn restart(job_id: &str) -> Result<Response<serde_json::Value>>
                    = Put "/v1/jobs/state/" => |op| op.json(&JobsState::new(JobAction::Restart, vec![job_id.to_owned()])).send();
            }
        }
    };
}

__jobs_surface!(sync_handler);
