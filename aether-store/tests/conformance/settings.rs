use aether_core::schedule::Mode;
use aether_core::store::{LogLevel, SchedulingMode, Settings, SettingsStore};

pub(crate) async fn suite(store: &dyn SettingsStore) {
    assert_eq!(store.settings().await.expect("read"), Settings::default());
    let settings = Settings {
        priority_mode: Mode::GlobalKey,
        scheduling_mode: SchedulingMode::LoadBalance,
        log_level: LogLevel::Full,
    };
    store.put_settings(&settings).await.expect("written");
    assert_eq!(store.settings().await.expect("read"), settings);
    store.put_settings(&Settings::default()).await.expect("written");
    assert_eq!(store.settings().await.expect("read"), Settings::default());
}
