fn main() {
    // A panic ends the app (`panic = "abort"`): say so on the page, never leave
    // it frozen and silent. The draft is kept as it is typed, so nothing typed
    // is lost.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        studio::browser::page::show_crash();
    }));
    leptos::mount::mount_to_body(studio::App);
}
