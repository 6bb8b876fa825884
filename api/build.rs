//! The web dashboard's bundle (`web/dist`) and operations are compiled
//! in: rebuild when they change, files added or removed included.

fn main() {
    println!("cargo:rerun-if-changed=../web/dist");
    println!("cargo:rerun-if-changed=../web/src/graphql/web.graphql");
}
